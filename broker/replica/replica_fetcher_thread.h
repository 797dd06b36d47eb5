#pragma once
// ReplicaFetcherThread: a follower's fetches from one leader broker (Kafka's
// ReplicaFetcherThread / AbstractFetcherThread). It owns a set of partitions led by that
// broker; each round it sends one Fetch (replica_id = this broker) for all of them, appends
// what comes back to the follower logs and moves their high watermarks to the leader's.
//
// A partition added here starts in the truncating state: before fetching it asks the leader
// where the follower's latest epoch ended (OffsetsForLeaderEpoch, KIP-101) and cuts its log
// there, so a tail written by an old leader that the new one does not have is never served.
// Out-of-range fetch offsets are repaired with ListOffsets (the leader's log end or start).
//
// Fetches use an incremental fetch session (KIP-227, Kafka's FetchSessionHandler): the first
// request sends every partition and opens a session; later ones send only partitions whose
// position changed and name the ones to forget, and the leader answers only partitions with
// news. A session error or a lost connection starts a new session with a full request.
//
// Threads: one std::thread per fetcher, blocking on its own channel (the fetches are long
// polls: a thread per source broker is what Kafka runs, and it keeps the network threads out of
// the broker-as-client role). mu_ guards the partition map (Kafka's partitionMapLock) and is
// held while a response is applied, so remove_partitions() returns only once no append for
// those partitions is in progress; it is not held across the network round trip.
//
// Lock order: mu_ before a Partition's locks (appends take the partition's lock shared);
// callers must not hold a Partition's lock when they call in here.

#include "common/types.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace samsa::net {
class BlockingChannel;
struct ChannelSecurity;
}  // namespace samsa::net
#include "broker/protocol/generated/offset_for_leader_epoch_response.h"

namespace samsa::protocol {
struct FetchRequestData;
struct FetchResponseData;
}  // namespace samsa::protocol

namespace samsa::replica {

class Partition;

struct FetcherConfig {
    int32_t broker_id = -1;
    int32_t max_wait_ms = 500;              // replica.fetch.wait.max.ms
    int32_t min_bytes = 1;                  // replica.fetch.min.bytes
    int32_t response_max_bytes = 10485760;  // replica.fetch.response.max.bytes
    int32_t partition_max_bytes = 1048576;  // replica.fetch.max.bytes
    int32_t socket_timeout_ms = 30000;      // replica.socket.timeout.ms
    int32_t backoff_ms = 1000;              // replica.fetch.backoff.ms
    // How to reach the leaders' inter-broker listener (null: PLAINTEXT).
    std::shared_ptr<const net::ChannelSecurity> security;
};

struct SourceBroker {
    int32_t id = -1;
    std::string host;
    uint16_t port = 0;

    friend bool operator==(const SourceBroker&, const SourceBroker&) = default;
};

// Finds a hosted partition (ReplicaManager::get_partition).
using PartitionLookup = std::function<std::shared_ptr<Partition>(const TopicPartition&)>;

class ReplicaFetcherThread {
  public:
    ReplicaFetcherThread(std::string name, FetcherConfig config, SourceBroker source,
                         PartitionLookup lookup);
    ~ReplicaFetcherThread();
    ReplicaFetcherThread(const ReplicaFetcherThread&) = delete;
    ReplicaFetcherThread& operator=(const ReplicaFetcherThread&) = delete;

    // Starts fetching `partitions` (partition -> the leader epoch the follower is in),
    // truncating first. A partition already here is restarted at the new epoch.
    void add_partitions(const std::map<TopicPartition, int32_t>& partitions);
    // Stops fetching them; returns once no append to them is in progress.
    void remove_partitions(const std::set<TopicPartition>& partitions);
    size_t partition_count() const;
    const SourceBroker& source() const { return source_; }
    // Stops the thread (interrupting a fetch in flight within the socket timeout).
    void shutdown();

  private:
    enum class State { truncating, fetching };
    struct FetchState {
        int32_t leader_epoch = -1;
        int64_t fetch_offset = -1;
        State state = State::truncating;
        std::chrono::steady_clock::time_point delayed_until{};
    };
    // What one round asked for, to apply only answers for partitions still in that state.
    using Round = std::map<TopicPartition, FetchState>;
    // The client side of the fetch session: its id and next epoch, and what the leader knows
    // of each partition (what was last sent).
    struct SentPartition {
        int64_t fetch_offset = -1;
        int32_t leader_epoch = -1;
        int64_t log_start_offset = -1;
        friend bool operator==(const SentPartition&, const SentPartition&) = default;
    };
    struct Session {
        int32_t id = 0;
        int32_t next_epoch = 0;  // 0: the next request opens a session with a full fetch
        std::map<TopicPartition, SentPartition> sent;
    };

    void run();
    // Waits until there is work (or stopping); returns false when stopping.
    bool await_work();
    // Asks the leader where our latest epoch ended (OffsetsForLeaderEpoch) and truncates.
    void truncate(const Round& round);
    void apply_epoch_end_offset(
        const TopicPartition& tp, const FetchState& s,
        const protocol::OffsetForLeaderEpochResponseData::EpochEndOffset& leader);
    // Cuts the log at `offset` (if below its end); `completed`: start fetching, otherwise ask
    // the leader again with the now latest epoch.
    void truncate_partition(const TopicPartition& tp, const FetchState& s, int64_t offset,
                            bool completed);
    void fetch(const Round& round);
    // Fills in the session fields and the partitions to send (all, or what changed) and to
    // forget; returns what the leader will know once the request succeeds.
    std::map<TopicPartition, SentPartition> build_request(const Round& round,
                                                          protocol::FetchRequestData& request);
    void reset_session() { session_ = Session{}; }
    void apply_fetch_response(const Round& round, const protocol::FetchResponseData& response);
    // The leader's log end or start offset (ListOffsets -1 / -2, as a replica).
    std::optional<int64_t> leader_offset(const TopicPartition& tp, int32_t leader_epoch,
                                         int64_t timestamp);
    void handle_out_of_range(const TopicPartition& tp, FetchState& s);
    // Marks the partition to be retried after replica.fetch.backoff.ms.
    void delay(FetchState& s);
    void backoff();
    // The partitions to work on this round, in `state`, not delayed. Holds mu_.
    Round ready_locked(State state) const;

    const std::string name_;
    const FetcherConfig config_;
    const SourceBroker source_;
    const PartitionLookup lookup_;
    std::unique_ptr<net::BlockingChannel> channel_;  // used by the fetcher thread only

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::map<TopicPartition, FetchState> partitions_;  // guarded by mu_
    bool stopping_ = false;                            // guarded by mu_
    // Rotates where each round's request starts, so a partition whose batches do not fit in
    // the response's budget behind the others gets to be first (and get one whole batch).
    size_t rotation_ = 0;
    Session session_;  // fetcher thread only
    std::thread thread_;
};

}  // namespace samsa::replica
