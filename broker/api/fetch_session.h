#pragma once
// Incremental fetch sessions (KIP-227; Kafka's FetchSession, FetchSessionCache and
// FetchContext). A fetcher that opens a session sends its partitions once; later requests name
// only the partitions whose fetch position changed (and those to forget), and responses carry
// only the partitions that have something new: records, a moved high watermark, last stable
// offset or log start, or an error. With thousands of partitions per follower that is the
// difference between resending every partition's state twice a second and sending none.
//
// Request fields (session_id, session_epoch):
//   (0, -1)  no session: a full fetch, answered in full with session id 0
//   (0,  0)  open a session: a full fetch; the response names the new session (0 if the cache
//            has no room: the client then stays sessionless)
//   (S,  E)  E > 0: incremental fetch in session S, whose next epoch must be E
//   (S, -1)  close S, then a full sessionless fetch
//   (S,  0)  close S and open a new one
// Errors: FETCH_SESSION_ID_NOT_FOUND (unknown S), INVALID_FETCH_SESSION_EPOCH (E out of order).
//
// The cache holds at most max.incremental.fetch.session.cache.slots sessions; a new one evicts
// the least recently used session that has been idle for two minutes, or, for a follower, the
// least recently used consumer session (followers' sessions are privileged, as in Kafka).
//
// Thread-safe: one mutex for the cache, one per session. A session's epoch check and bump is
// atomic, so two requests racing in one session cannot both pass.

#include "broker/protocol/error_code.h"
#include "common/types.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace samsa::api {

// One partition of a fetch, as requested or as the session remembers it.
struct FetchPartitionData {
    TopicPartition tp;
    int64_t fetch_offset = 0;
    int32_t max_bytes = 0;
    int32_t current_leader_epoch = -1;
    int64_t log_start_offset = -1;
    int32_t last_fetched_epoch = -1;  // v12+ (KIP-595); -1: not given
};

// What a response said of a partition; an incremental response leaves out a partition whose
// answer has nothing new compared with the last one sent.
struct PartitionAnswer {
    int64_t high_watermark = -1;
    int64_t last_stable_offset = -1;
    int64_t log_start_offset = -1;
    bool has_records = false;
    bool has_error = false;
    bool has_diverging_epoch = false;  // always sent (Kafka's mustRespond)
};

class FetchSession;

// The outcome of resolving a request's session fields.
struct FetchContext {
    protocol::ErrorCode error = protocol::ErrorCode::none;  // session errors only
    std::shared_ptr<FetchSession> session;  // null: sessionless (or the cache was full)
    bool incremental = false;
    // What to read: the request's partitions, or, incremental, all of the session's.
    std::vector<FetchPartitionData> partitions;

    int32_t session_id() const;
    // Whether the response includes `tp` (always, unless incremental); records `answer` as
    // what the client now knows when it does.
    bool include(const TopicPartition& tp, const PartitionAnswer& answer);
};

class FetchSessionCache {
  public:
    explicit FetchSessionCache(size_t max_slots,
                               std::chrono::milliseconds eviction_idle = std::chrono::minutes(2));

    FetchContext new_context(int32_t session_id, int32_t session_epoch, bool from_follower,
                             std::vector<FetchPartitionData> requested,
                             const std::vector<TopicPartition>& forgotten);
    size_t size() const;

  private:
    std::shared_ptr<FetchSession> create_session(bool privileged,
                                                 const std::vector<FetchPartitionData>& parts);
    // Frees a slot if the policy allows; holds mu_.
    bool make_room_locked(bool privileged, std::chrono::steady_clock::time_point now);
    void remove(int32_t session_id);

    const size_t max_slots_;
    const std::chrono::milliseconds eviction_idle_;
    mutable std::mutex mu_;
    std::unordered_map<int32_t, std::shared_ptr<FetchSession>> sessions_;
};

}  // namespace samsa::api
