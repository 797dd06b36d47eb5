#pragma once
// GroupMetadata: one group's state (Kafka's GroupMetadata) — its state machine, generation,
// chosen protocol, leader, members (dynamic, static and pending) and committed offsets.
//
// Not thread-safe by itself: every access holds `lock` (Kafka's group.inLock). The
// coordinator takes it for the whole of one operation on the group.
//
// States and their legal predecessors (Kafka's GroupState):
//   Empty               <- PreparingRebalance
//   PreparingRebalance  <- Stable, CompletingRebalance, Empty
//   CompletingRebalance <- PreparingRebalance
//   Stable              <- CompletingRebalance
//   Dead                <- any

#include "broker/group/member_metadata.h"
#include "broker/group/types.h"
#include "common/types.h"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace samsa::group {

enum class GroupState { empty, preparing_rebalance, completing_rebalance, stable, dead };

// Kafka's names: "Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead".
const char* state_name(GroupState s);
std::optional<GroupState> parse_state(std::string_view name);

class GroupMetadata {
  public:
    GroupMetadata(std::string group_id, GroupState initial, int64_t now_ms);

    std::mutex lock;

    const std::string& group_id() const { return group_id_; }
    GroupState state() const { return state_; }
    bool is(GroupState s) const { return state_ == s; }
    bool can_rebalance() const;
    // Changes state; false (and no change) if `next` may not follow the current state.
    bool transition_to(GroupState next, int64_t now_ms);
    // When the group entered its current state (Kafka's currentStateTimestamp).
    int64_t current_state_timestamp_ms() const { return state_timestamp_ms_; }

    int32_t generation_id = 0;
    std::optional<std::string> protocol_type;
    std::optional<std::string> protocol_name;
    std::optional<std::string> leader_id;
    // A member joined the initial rebalance: the initial delay may be extended.
    bool new_member_added = false;
    // Bumped by every rebalance; a join timer with another value is stale.
    uint64_t rebalance_token = 0;
    // The rebalance of an empty group waits out group.initial.rebalance.delay.ms even when
    // every member has joined (Kafka's InitialDelayedJoin never completes early).
    bool initial_join_delay = false;

    // ---- members ----
    const std::map<std::string, std::shared_ptr<MemberMetadata>>& members() const {
        return members_;
    }
    bool has(const std::string& member_id) const { return members_.contains(member_id); }
    std::shared_ptr<MemberMetadata> get(const std::string& member_id) const;
    bool empty() const { return members_.empty(); }
    size_t size() const { return members_.size(); }
    bool is_leader(const std::string& member_id) const { return leader_id == member_id; }
    // Adds `member`; the first member of a group leads it.
    void add(std::shared_ptr<MemberMetadata> member);
    // Removes the member and its static and pending entries; a new leader is picked if needed.
    void remove(const std::string& member_id);

    // Members told their id (KIP-394) that have not joined with it yet.
    void add_pending(const std::string& member_id) { pending_members_.insert(member_id); }
    bool is_pending(const std::string& member_id) const {
        return pending_members_.contains(member_id);
    }
    void remove_pending(const std::string& member_id) { pending_members_.erase(member_id); }
    void clear_pending() { pending_members_.clear(); }
    size_t pending_count() const { return pending_members_.size(); }

    // Static members (KIP-345): group.instance.id -> current member id.
    std::optional<std::string> static_member_id(const std::string& instance_id) const;
    // A known instance id presented with another member id: the older process is fenced.
    bool is_static_member_fenced(const std::string& member_id,
                                 const std::optional<std::string>& instance_id) const;
    // A restarted static member gets a new member id; it keeps everything else.
    std::shared_ptr<MemberMetadata> replace_static_member(const std::string& instance_id,
                                                          const std::string& old_member_id,
                                                          const std::string& new_member_id);

    size_t awaiting_join_count() const;
    bool has_all_members_joined() const;
    std::vector<std::shared_ptr<MemberMetadata>> not_yet_rejoined_members() const;
    // Picks a new leader among the members waiting to join when the leader has not rejoined.
    // False when no member is waiting.
    bool maybe_elect_new_joined_leader();
    int32_t max_rebalance_timeout_ms() const;

    // ---- protocols ----
    // The protocols every member supports.
    std::set<std::string> candidate_protocols() const;
    // Whether a member with these may join: an empty group takes any non-empty set; otherwise
    // the type must match and one protocol must be supported by everybody.
    bool supports_protocols(const std::string& member_protocol_type,
                            const std::set<std::string>& names) const;
    // Each member votes for its most preferred candidate; the most votes win (ties: the
    // smallest name, so that every broker picks the same).
    std::string select_protocol() const;
    // After the join phase: next generation, protocol chosen, CompletingRebalance (or Empty
    // if nobody is left).
    void init_next_generation(int64_t now_ms);
    // Every member with its metadata for the chosen protocol (for the leader's JoinGroup).
    std::vector<JoinMember> current_member_metadata() const;
    void clear_assignments();

    // ---- offsets ----
    std::map<TopicPartition, OffsetAndMetadata> offsets;
    // Topics the members subscribe to, when the consumer protocol says (nullopt: unknown, as
    // for other protocol types), for offset expiry and OffsetDelete.
    std::optional<std::set<std::string>> subscribed_topics() const;

  private:
    std::string group_id_;
    GroupState state_;
    int64_t state_timestamp_ms_;
    std::map<std::string, std::shared_ptr<MemberMetadata>> members_;
    std::set<std::string> pending_members_;
    std::map<std::string, std::string> static_members_;
};

}  // namespace samsa::group
