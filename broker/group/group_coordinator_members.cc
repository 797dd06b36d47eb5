// GroupCoordinator: SyncGroup, Heartbeat, LeaveGroup, session expiry and the leadership of
// __consumer_offsets partitions (Kafka's handleSyncGroup, handleHeartbeat, handleLeaveGroup,
// onExpireHeartbeat, onElection and onResignation).

#include "broker/group/group_coordinator.h"
#include "common/logging.h"

namespace samsa::group {

namespace {

auto& logger() {
    static auto l = get_logger("group");
    return *l;
}

}  // namespace

void GroupCoordinator::sync_group(SyncGroupRequest request, SyncCallback done) {
    auto fail = [&](ErrorCode error) {
        SyncGroupResult r;
        r.error = error;
        done(std::move(r));
    };
    if (auto e = validate_group_status(request.group_id); e != ErrorCode::none) {
        // A loading coordinator has lost the rebalance in progress: the member rejoins
        // without looking for the coordinator again.
        return fail(e == ErrorCode::coordinator_load_in_progress ? ErrorCode::rebalance_in_progress
                                                                 : e);
    }
    auto group = manager_.get_group(request.group_id);
    if (!group) {
        return fail(ErrorCode::unknown_member_id);
    }
    std::lock_guard lock(group->lock);
    if (group->is(GroupState::dead)) {
        return fail(ErrorCode::coordinator_not_available);
    }
    if (group->is_static_member_fenced(request.member_id, request.group_instance_id)) {
        return fail(ErrorCode::fenced_instance_id);
    }
    auto member = group->get(request.member_id);
    if (!member) {
        return fail(ErrorCode::unknown_member_id);
    }
    if (request.generation_id != group->generation_id) {
        return fail(ErrorCode::illegal_generation);
    }
    if ((request.protocol_type && request.protocol_type != group->protocol_type) ||
        (request.protocol_name && request.protocol_name != group->protocol_name)) {
        return fail(ErrorCode::inconsistent_group_protocol);
    }
    switch (group->state()) {
        case GroupState::empty:
        case GroupState::dead:
            return fail(ErrorCode::unknown_member_id);
        case GroupState::preparing_rebalance:
            return fail(ErrorCode::rebalance_in_progress);
        case GroupState::completing_rebalance: {
            member->awaiting_sync = std::move(done);
            if (!group->is_leader(request.member_id)) {
                return;  // answered when the leader's assignment is stored
            }
            // Members the leader left out get an empty assignment.
            auto assignments = std::move(request.assignments);
            for (const auto& [id, m] : group->members()) {
                assignments.try_emplace(id);
            }
            const int32_t generation = group->generation_id;
            manager_.store_group(
                *group, assignments,
                [this, gid = group->group_id(), generation, assignments](ErrorCode error) mutable {
                    on_group_store_for_sync(gid, generation, std::move(assignments), error);
                });
            return;
        }
        case GroupState::stable: {
            // A retried SyncGroup, or a static member that took over its old assignment.
            SyncGroupResult r;
            r.protocol_type = group->protocol_type;
            r.protocol_name = group->protocol_name;
            r.assignment = member->assignment;
            schedule_heartbeat_expiry(*group, *member, member->session_timeout_ms);
            done(std::move(r));
            return;
        }
    }
}

void GroupCoordinator::on_group_store_for_sync(const std::string& group_id, int32_t generation,
                                               std::map<std::string, Bytes> assignments,
                                               ErrorCode error) {
    auto group = manager_.get_group(group_id);
    if (!group) {
        return;  // unloaded meanwhile; its members were answered then
    }
    std::lock_guard lock(group->lock);
    // Another rebalance may have started while the assignment was being written.
    if (!group->is(GroupState::completing_rebalance) || group->generation_id != generation) {
        return;
    }
    if (error != ErrorCode::none) {
        logger().warn("group {}: storing generation {} failed: {}", group_id, generation,
                      protocol::error_name(error));
        reset_and_propagate_assignment_error(*group, error);
        maybe_prepare_rebalance(*group, "storing the assignment failed");
        return;
    }
    for (const auto& [id, member] : group->members()) {
        if (auto a = assignments.find(id); a != assignments.end()) {
            member->assignment = std::move(a->second);
        }
    }
    propagate_assignment(*group, ErrorCode::none);
    group->transition_to(GroupState::stable, scheduler_.now_ms());
}

void GroupCoordinator::reset_and_propagate_assignment_error(GroupMetadata& group, ErrorCode error) {
    group.clear_assignments();
    propagate_assignment(group, error);
}

void GroupCoordinator::propagate_assignment(GroupMetadata& group, ErrorCode error) {
    for (const auto& [id, member] : group.members()) {
        if (!member->is_awaiting_sync()) {
            continue;
        }
        SyncGroupResult r;
        r.error = error;
        r.protocol_type = group.protocol_type;
        r.protocol_name = group.protocol_name;
        if (error == ErrorCode::none) {
            r.assignment = member->assignment;
        }
        member->complete_sync(std::move(r));
        // Its session counts from now: it may have waited long for the leader.
        schedule_heartbeat_expiry(group, *member, member->session_timeout_ms);
    }
}

ErrorCode GroupCoordinator::heartbeat(const std::string& group_id, const std::string& member_id,
                                      const std::optional<std::string>& group_instance_id,
                                      int32_t generation_id) {
    if (auto e = validate_group_status(group_id); e != ErrorCode::none) {
        // While loading, the member's state is unknown; it will learn at its next request.
        return e == ErrorCode::coordinator_load_in_progress ? ErrorCode::none : e;
    }
    auto group = manager_.get_group(group_id);
    if (!group) {
        return ErrorCode::unknown_member_id;
    }
    std::lock_guard lock(group->lock);
    if (group->is(GroupState::dead)) {
        return ErrorCode::coordinator_not_available;
    }
    if (group->is_static_member_fenced(member_id, group_instance_id)) {
        return ErrorCode::fenced_instance_id;
    }
    auto member = group->get(member_id);
    if (!member) {
        return ErrorCode::unknown_member_id;
    }
    if (generation_id != group->generation_id) {
        return ErrorCode::illegal_generation;
    }
    switch (group->state()) {
        case GroupState::empty:
        case GroupState::dead:
            return ErrorCode::unknown_member_id;
        case GroupState::completing_rebalance:
        case GroupState::stable:
            schedule_heartbeat_expiry(*group, *member, member->session_timeout_ms);
            return ErrorCode::none;
        case GroupState::preparing_rebalance:
            schedule_heartbeat_expiry(*group, *member, member->session_timeout_ms);
            return ErrorCode::rebalance_in_progress;
    }
    return ErrorCode::none;
}

LeaveGroupResult GroupCoordinator::leave_group(const std::string& group_id,
                                               const std::vector<LeavingMember>& members) {
    LeaveGroupResult result;
    if (auto e = validate_group_status(group_id); e != ErrorCode::none) {
        result.error = e;
        return result;
    }
    auto group = manager_.get_group(group_id);
    if (!group) {
        result.members.assign(members.size(), ErrorCode::unknown_member_id);
        return result;
    }
    std::lock_guard lock(group->lock);
    if (group->is(GroupState::dead)) {
        result.error = ErrorCode::coordinator_not_available;
        return result;
    }
    for (const auto& leaving : members) {
        std::string member_id = leaving.member_id;
        if (member_id.empty() && leaving.group_instance_id) {
            // KIP-345 admin removal: the instance id names the member.
            auto known = group->static_member_id(*leaving.group_instance_id);
            if (!known) {
                result.members.push_back(ErrorCode::unknown_member_id);
                continue;
            }
            member_id = *known;
        } else if (group->is_static_member_fenced(member_id, leaving.group_instance_id)) {
            result.members.push_back(ErrorCode::fenced_instance_id);
            continue;
        }
        if (group->is_pending(member_id)) {
            remove_pending_member_and_update_group(*group, member_id);
            result.members.push_back(ErrorCode::none);
            continue;
        }
        auto member = group->get(member_id);
        if (!member) {
            result.members.push_back(ErrorCode::unknown_member_id);
            continue;
        }
        remove_member_and_update_group(*group, member, "member " + member_id + " left");
        result.members.push_back(ErrorCode::none);
    }
    return result;
}

void GroupCoordinator::schedule_heartbeat_expiry(GroupMetadata& group, MemberMetadata& member,
                                                 int64_t timeout_ms) {
    member.latest_heartbeat_ms = scheduler_.now_ms();
    if (member.heartbeat_timer != 0) {
        scheduler_.cancel(member.heartbeat_timer);
    }
    const uint64_t token = next_token_++;
    member.heartbeat_token = token;
    member.heartbeat_timer =
        scheduler_.schedule(timeout_ms, [this, gid = group.group_id(), mid = member.member_id,
                                         token] { on_heartbeat_expiry(gid, mid, token); });
}

void GroupCoordinator::on_heartbeat_expiry(const std::string& group_id,
                                           const std::string& member_id, uint64_t token) {
    auto group = manager_.get_group(group_id);
    if (!group) {
        return;
    }
    std::lock_guard lock(group->lock);
    if (group->is_pending(member_id)) {
        logger().info("group {}: pending member {} did not join again in time", group_id,
                      member_id);
        remove_pending_member_and_update_group(*group, member_id);
        return;
    }
    auto member = group->get(member_id);
    if (!member || member->heartbeat_token != token) {
        return;  // gone, or heartbeated since
    }
    if (!member->should_keep_alive(scheduler_.now_ms())) {
        remove_member_and_update_group(*group, member,
                                       "session of member " + member_id + " expired");
    }
}

void GroupCoordinator::remove_member_and_update_group(GroupMetadata& group,
                                                      const std::shared_ptr<MemberMetadata>& member,
                                                      const std::string& reason) {
    // A member waiting in a rebalance learns that it has been removed.
    JoinGroupResult gone;
    gone.error = ErrorCode::unknown_member_id;
    gone.member_id = member->member_id;
    member->complete_join(std::move(gone));
    SyncGroupResult gone_sync;
    gone_sync.error = ErrorCode::unknown_member_id;
    member->complete_sync(std::move(gone_sync));
    scheduler_.cancel(member->heartbeat_timer);
    member->heartbeat_token = 0;
    group.remove(member->member_id);
    logger().info("group {}: removed member {} ({})", group.group_id(), member->member_id, reason);
    switch (group.state()) {
        case GroupState::dead:
        case GroupState::empty:
            return;
        case GroupState::stable:
        case GroupState::completing_rebalance:
            maybe_prepare_rebalance(group, reason);
            return;
        case GroupState::preparing_rebalance:
            try_complete_join(group);
            return;
    }
}

void GroupCoordinator::remove_pending_member_and_update_group(GroupMetadata& group,
                                                              const std::string& member_id) {
    group.remove_pending(member_id);
    try_complete_join(group);
}

void GroupCoordinator::fail_unloaded_group(GroupMetadata& group) {
    for (const auto& [id, member] : group.members()) {
        JoinGroupResult r;
        r.error = ErrorCode::not_coordinator;
        r.member_id = id;
        member->complete_join(std::move(r));
        SyncGroupResult s;
        s.error = ErrorCode::not_coordinator;
        member->complete_sync(std::move(s));
        scheduler_.cancel(member->heartbeat_timer);
        member->heartbeat_token = 0;
    }
    ++group.rebalance_token;
    group.transition_to(GroupState::dead, scheduler_.now_ms());
}

void GroupCoordinator::on_election(int32_t partition, int32_t leader_epoch) {
    // Groups left from an earlier term are replaced by what the log says now.
    for (const auto& group : manager_.unload_partition(partition)) {
        std::lock_guard lock(group->lock);
        fail_unloaded_group(*group);
    }
    logger().info("elected coordinator of __consumer_offsets-{} (epoch {}); loading", partition,
                  leader_epoch);
    manager_.load_partition(partition, leader_epoch, [this](const auto& groups) {
        // Members of a loaded group get a full session to show up again.
        for (const auto& group : groups) {
            std::lock_guard lock(group->lock);
            for (const auto& [id, member] : group->members()) {
                schedule_heartbeat_expiry(*group, *member, member->session_timeout_ms);
            }
        }
    });
}

void GroupCoordinator::on_resignation(int32_t partition) {
    auto groups = manager_.unload_partition(partition);
    for (const auto& group : groups) {
        std::lock_guard lock(group->lock);
        fail_unloaded_group(*group);
    }
    logger().info("resigned as coordinator of __consumer_offsets-{}: {} groups unloaded", partition,
                  groups.size());
}

}  // namespace samsa::group
