#include "broker/group/group_metadata.h"

#include "broker/group/consumer_protocol.h"

#include <algorithm>

namespace samsa::group {

const char* state_name(GroupState s) {
    switch (s) {
        case GroupState::empty:
            return "Empty";
        case GroupState::preparing_rebalance:
            return "PreparingRebalance";
        case GroupState::completing_rebalance:
            return "CompletingRebalance";
        case GroupState::stable:
            return "Stable";
        case GroupState::dead:
            return "Dead";
    }
    return "Unknown";
}

std::optional<GroupState> parse_state(std::string_view name) {
    for (auto s : {GroupState::empty, GroupState::preparing_rebalance,
                   GroupState::completing_rebalance, GroupState::stable, GroupState::dead}) {
        if (name == state_name(s)) {
            return s;
        }
    }
    return std::nullopt;
}

namespace {

bool may_follow(GroupState from, GroupState to) {
    using S = GroupState;
    switch (to) {
        case S::empty:
            return from == S::preparing_rebalance;
        case S::preparing_rebalance:
            return from == S::stable || from == S::completing_rebalance || from == S::empty;
        case S::completing_rebalance:
            return from == S::preparing_rebalance;
        case S::stable:
            return from == S::completing_rebalance;
        case S::dead:
            return true;
    }
    return false;
}

}  // namespace

GroupMetadata::GroupMetadata(std::string group_id, GroupState initial, int64_t now_ms)
    : group_id_(std::move(group_id)), state_(initial), state_timestamp_ms_(now_ms) {}

bool GroupMetadata::can_rebalance() const {
    return may_follow(state_, GroupState::preparing_rebalance);
}

bool GroupMetadata::transition_to(GroupState next, int64_t now_ms) {
    if (!may_follow(state_, next)) {
        return false;
    }
    state_ = next;
    state_timestamp_ms_ = now_ms;
    return true;
}

std::shared_ptr<MemberMetadata> GroupMetadata::get(const std::string& member_id) const {
    auto it = members_.find(member_id);
    return it == members_.end() ? nullptr : it->second;
}

void GroupMetadata::add(std::shared_ptr<MemberMetadata> member) {
    if (members_.empty()) {
        protocol_type = member->protocol_type;
    }
    if (!leader_id) {
        leader_id = member->member_id;
    }
    if (member->group_instance_id) {
        static_members_[*member->group_instance_id] = member->member_id;
    }
    pending_members_.erase(member->member_id);
    members_[member->member_id] = std::move(member);
}

void GroupMetadata::remove(const std::string& member_id) {
    auto it = members_.find(member_id);
    if (it != members_.end()) {
        if (it->second->group_instance_id) {
            static_members_.erase(*it->second->group_instance_id);
        }
        members_.erase(it);
    }
    pending_members_.erase(member_id);
    if (leader_id == member_id) {
        leader_id =
            members_.empty() ? std::nullopt : std::optional<std::string>(members_.begin()->first);
    }
}

std::optional<std::string> GroupMetadata::static_member_id(const std::string& instance_id) const {
    auto it = static_members_.find(instance_id);
    return it == static_members_.end() ? std::nullopt : std::optional<std::string>(it->second);
}

bool GroupMetadata::is_static_member_fenced(const std::string& member_id,
                                            const std::optional<std::string>& instance_id) const {
    if (!instance_id) {
        return false;
    }
    auto known = static_member_id(*instance_id);
    return known && *known != member_id;
}

std::shared_ptr<MemberMetadata> GroupMetadata::replace_static_member(
    const std::string& instance_id, const std::string& old_member_id,
    const std::string& new_member_id) {
    auto it = members_.find(old_member_id);
    if (it == members_.end()) {
        return nullptr;
    }
    auto member = it->second;
    members_.erase(it);
    // The old process's waiting requests learn it was replaced.
    JoinGroupResult fenced_join;
    fenced_join.error = ErrorCode::fenced_instance_id;
    fenced_join.member_id = old_member_id;
    member->complete_join(std::move(fenced_join));
    SyncGroupResult fenced_sync;
    fenced_sync.error = ErrorCode::fenced_instance_id;
    member->complete_sync(std::move(fenced_sync));
    member->member_id = new_member_id;
    members_[new_member_id] = member;
    if (leader_id == old_member_id) {
        leader_id = new_member_id;
    }
    static_members_[instance_id] = new_member_id;
    return member;
}

size_t GroupMetadata::awaiting_join_count() const {
    return static_cast<size_t>(std::count_if(members_.begin(), members_.end(), [](const auto& m) {
        return m.second->is_awaiting_join();
    }));
}

bool GroupMetadata::has_all_members_joined() const {
    return members_.size() == awaiting_join_count() && pending_members_.empty();
}

std::vector<std::shared_ptr<MemberMetadata>> GroupMetadata::not_yet_rejoined_members() const {
    std::vector<std::shared_ptr<MemberMetadata>> out;
    for (const auto& [id, m] : members_) {
        if (!m->is_awaiting_join()) {
            out.push_back(m);
        }
    }
    return out;
}

bool GroupMetadata::maybe_elect_new_joined_leader() {
    if (leader_id) {
        auto leader = get(*leader_id);
        if (leader && leader->is_awaiting_join()) {
            return true;
        }
    }
    for (const auto& [id, m] : members_) {
        if (m->is_awaiting_join()) {
            leader_id = id;
            return true;
        }
    }
    return false;
}

int32_t GroupMetadata::max_rebalance_timeout_ms() const {
    int32_t out = 0;
    for (const auto& [id, m] : members_) {
        out = std::max(out, m->rebalance_timeout_ms);
    }
    return out;
}

std::set<std::string> GroupMetadata::candidate_protocols() const {
    std::set<std::string> out;
    bool first = true;
    for (const auto& [id, m] : members_) {
        auto names = m->protocol_names();
        if (first) {
            out = std::move(names);
            first = false;
            continue;
        }
        std::set<std::string> both;
        std::set_intersection(out.begin(), out.end(), names.begin(), names.end(),
                              std::inserter(both, both.begin()));
        out = std::move(both);
    }
    return out;
}

bool GroupMetadata::supports_protocols(const std::string& member_protocol_type,
                                       const std::set<std::string>& names) const {
    if (members_.empty()) {
        return !member_protocol_type.empty() && !names.empty();
    }
    if (protocol_type != member_protocol_type) {
        return false;
    }
    for (const auto& name : candidate_protocols()) {
        if (names.contains(name)) {
            return true;
        }
    }
    return false;
}

std::string GroupMetadata::select_protocol() const {
    auto candidates = candidate_protocols();
    std::map<std::string, int> votes;
    for (const auto& [id, m] : members_) {
        auto choice = m->vote(candidates);
        if (!choice.empty()) {
            ++votes[choice];
        }
    }
    std::string best;
    int most = 0;
    for (const auto& [name, count] : votes) {  // ascending names: ties go to the smallest
        if (count > most) {
            best = name;
            most = count;
        }
    }
    return best;
}

void GroupMetadata::init_next_generation(int64_t now_ms) {
    ++generation_id;
    if (!members_.empty()) {
        protocol_name = select_protocol();
        transition_to(GroupState::completing_rebalance, now_ms);
    } else {
        protocol_name.reset();
        transition_to(GroupState::empty, now_ms);
    }
}

std::vector<JoinMember> GroupMetadata::current_member_metadata() const {
    std::vector<JoinMember> out;
    for (const auto& [id, m] : members_) {
        out.push_back(
            JoinMember{id, m->group_instance_id, m->metadata(protocol_name.value_or(""))});
    }
    return out;
}

void GroupMetadata::clear_assignments() {
    for (auto& [id, m] : members_) {
        m->assignment.clear();
    }
}

std::optional<std::set<std::string>> GroupMetadata::subscribed_topics() const {
    if (protocol_type != kConsumerProtocolType || !protocol_name) {
        return std::nullopt;
    }
    std::set<std::string> topics;
    for (const auto& [id, m] : members_) {
        auto parsed = parse_subscription_topics(m->metadata(*protocol_name));
        if (!parsed) {
            return std::nullopt;
        }
        topics.insert(parsed->begin(), parsed->end());
    }
    return topics;
}

}  // namespace samsa::group
