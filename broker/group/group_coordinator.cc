// GroupCoordinator: JoinGroup and the rebalance (Kafka's handleJoinGroup, prepareRebalance,
// onCompleteJoin and the delayed joins).

#include "broker/group/group_coordinator.h"

#include "common/logging.h"

#include <random>

namespace samsa::group {

namespace {

auto& logger() {
    static auto l = get_logger("group");
    return *l;
}

std::set<std::string> names_of(const std::vector<ProtocolEntry>& protocols) {
    std::set<std::string> out;
    for (const auto& p : protocols) {
        out.insert(p.name);
    }
    return out;
}

}  // namespace

GroupCoordinator::GroupCoordinator(GroupConfig config, CoordinatorLog& log, Scheduler& scheduler)
    : manager_(config, log, scheduler), scheduler_(scheduler) {}

GroupCoordinator::~GroupCoordinator() {
    shutdown();
}

void GroupCoordinator::startup() {
    active_ = true;
    schedule_offset_expiry();
}

void GroupCoordinator::shutdown() {
    if (!active_.exchange(false)) {
        return;
    }
    scheduler_.cancel(expiry_timer_);
    for (const auto& group : manager_.unload_all()) {
        std::lock_guard lock(group->lock);
        fail_unloaded_group(*group);
    }
}

// Kafka's validateGroupStatus.
ErrorCode GroupCoordinator::validate_group_status(const std::string& group_id) const {
    if (group_id.empty()) {
        return ErrorCode::invalid_group_id;
    }
    if (!active_) {
        return ErrorCode::coordinator_not_available;
    }
    if (manager_.is_group_loading(group_id)) {
        return ErrorCode::coordinator_load_in_progress;
    }
    if (!manager_.is_group_local(group_id)) {
        return ErrorCode::not_coordinator;
    }
    return ErrorCode::none;
}

std::string GroupCoordinator::new_member_id(const std::string& client_id) {
    // A random (version 4) UUID after the client id, as Kafka names members.
    thread_local std::mt19937_64 rng{std::random_device{}()};
    uint64_t hi = rng();
    uint64_t lo = rng();
    hi = (hi & ~0xF000ULL) | 0x4000ULL;
    lo = (lo & ~(0xC0ULL << 56)) | (0x80ULL << 56);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                  static_cast<unsigned>(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
    return client_id + "-" + buf;
}

void GroupCoordinator::join_group(JoinGroupRequest request, JoinCallback done) {
    auto fail = [&](ErrorCode error) {
        JoinGroupResult r;
        r.error = error;
        r.member_id = request.member_id;
        done(std::move(r));
    };
    if (auto e = validate_group_status(request.group_id); e != ErrorCode::none) {
        return fail(e);
    }
    const auto& cfg = manager_.config();
    if (request.session_timeout_ms < cfg.min_session_timeout_ms ||
        request.session_timeout_ms > cfg.max_session_timeout_ms) {
        return fail(ErrorCode::invalid_session_timeout);
    }
    const bool unknown_member = request.member_id.empty();
    auto group = manager_.get_group(request.group_id);
    if (!group) {
        // Only a member without an id may create the group.
        if (!unknown_member) {
            return fail(ErrorCode::unknown_member_id);
        }
        group = manager_.add_group(std::make_shared<GroupMetadata>(
            request.group_id, GroupState::empty, scheduler_.now_ms()));
    }
    std::lock_guard lock(group->lock);
    if (!accept_joining_member(*group, request.member_id)) {
        if (auto member = group->get(request.member_id)) {
            remove_member_and_update_group(*group, member, "the group is full");
        }
        return fail(ErrorCode::group_max_size_reached);
    }
    if (group->is(GroupState::dead)) {
        // Deleted or unloaded since we looked it up: the client finds the coordinator again.
        return fail(ErrorCode::coordinator_not_available);
    }
    if (!group->supports_protocols(request.protocol_type, names_of(request.protocols))) {
        return fail(ErrorCode::inconsistent_group_protocol);
    }
    if (unknown_member) {
        do_unknown_join(group, request, done);
    } else {
        do_current_join(group, request, done);
    }
    try_complete_join(*group);
}

// Kafka's acceptJoiningMember: group.max.size counts members, and during a rebalance the
// members that have rejoined.
bool GroupCoordinator::accept_joining_member(const GroupMetadata& group,
                                             const std::string& member_id) const {
    const size_t max = static_cast<size_t>(manager_.config().max_size);
    switch (group.state()) {
        case GroupState::empty:
        case GroupState::dead:
            return true;
        case GroupState::preparing_rebalance: {
            auto member = group.get(member_id);
            return (member && member->is_awaiting_join()) || group.awaiting_join_count() < max;
        }
        case GroupState::completing_rebalance:
        case GroupState::stable:
            return group.has(member_id) || group.size() < max;
    }
    return false;
}

void GroupCoordinator::do_unknown_join(const std::shared_ptr<GroupMetadata>& group,
                                       JoinGroupRequest& request, JoinCallback& done) {
    const std::string member_id = new_member_id(request.client_id);
    if (request.group_instance_id) {
        // A static member needs no MEMBER_ID_REQUIRED round: its instance id names it.
        if (auto old = group->static_member_id(*request.group_instance_id)) {
            update_static_member_and_rebalance(group, *old, member_id, request, std::move(done));
            return;
        }
        add_member_and_rebalance(*group, request, member_id, std::move(done));
        return;
    }
    if (request.require_known_member_id) {
        // KIP-394: remember the id and make the member come back with it, so a client that
        // retries a lost response does not leave orphan members behind.
        group->add_pending(member_id);
        const uint64_t token = next_token_++;
        scheduler_.schedule(request.session_timeout_ms,
                            [this, gid = group->group_id(), member_id, token] {
                                on_heartbeat_expiry(gid, member_id, token);
                            });
        JoinGroupResult r;
        r.error = ErrorCode::member_id_required;
        r.member_id = member_id;
        done(std::move(r));
        return;
    }
    add_member_and_rebalance(*group, request, member_id, std::move(done));
}

void GroupCoordinator::do_current_join(const std::shared_ptr<GroupMetadata>& group,
                                       JoinGroupRequest& request, JoinCallback& done) {
    const std::string& member_id = request.member_id;
    auto fail = [&](ErrorCode error) {
        JoinGroupResult r;
        r.error = error;
        r.member_id = member_id;
        done(std::move(r));
    };
    if (group->is_pending(member_id)) {
        // The second JoinGroup of KIP-394.
        if (request.group_instance_id) {
            return fail(ErrorCode::unknown_member_id);
        }
        add_member_and_rebalance(*group, request, member_id, std::move(done));
        return;
    }
    if (group->is_static_member_fenced(member_id, request.group_instance_id)) {
        return fail(ErrorCode::fenced_instance_id);
    }
    auto member = group->get(member_id);
    if (!member) {
        return fail(ErrorCode::unknown_member_id);
    }
    switch (group->state()) {
        case GroupState::preparing_rebalance:
            update_member_and_rebalance(*group, *member, request, std::move(done));
            return;
        case GroupState::completing_rebalance:
            // A retried JoinGroup whose response was lost: same answer, unless it changed.
            if (member->matches(request.protocols)) {
                done(join_result(*group, *member));
            } else {
                update_member_and_rebalance(*group, *member, request, std::move(done));
            }
            return;
        case GroupState::stable:
            // The leader rejoining means it wants a new assignment (say, topics changed).
            if (group->is_leader(member_id) || !member->matches(request.protocols)) {
                update_member_and_rebalance(*group, *member, request, std::move(done));
            } else {
                done(join_result(*group, *member));
            }
            return;
        case GroupState::empty:
        case GroupState::dead:
            return fail(ErrorCode::unknown_member_id);
    }
}

void GroupCoordinator::add_member_and_rebalance(GroupMetadata& group, JoinGroupRequest& request,
                                                const std::string& member_id, JoinCallback done) {
    auto member = std::make_shared<MemberMetadata>(
        member_id, request.group_instance_id, request.client_id, request.client_host,
        request.rebalance_timeout_ms, request.session_timeout_ms, request.protocol_type,
        std::move(request.protocols));
    member->is_new = true;
    if (group.is(GroupState::preparing_rebalance) && group.generation_id == 0) {
        group.new_member_added = true;  // the initial delay may be extended
    }
    member->awaiting_join = std::move(done);
    group.add(member);
    // A new member that never completes a join is dropped after a while (KIP-394).
    schedule_heartbeat_expiry(group, *member, kNewMemberJoinTimeoutMs);
    maybe_prepare_rebalance(group, "adding new member " + member_id);
}

void GroupCoordinator::update_member_and_rebalance(GroupMetadata& group, MemberMetadata& member,
                                                   JoinGroupRequest& request, JoinCallback done) {
    member.supported_protocols = std::move(request.protocols);
    member.rebalance_timeout_ms = request.rebalance_timeout_ms;
    member.session_timeout_ms = request.session_timeout_ms;
    if (member.awaiting_join) {
        // The client gave up on its earlier JoinGroup and sent another: nobody reads this.
        JoinGroupResult stale;
        stale.error = ErrorCode::rebalance_in_progress;
        stale.member_id = member.member_id;
        member.complete_join(std::move(stale));
    }
    member.awaiting_join = std::move(done);
    maybe_prepare_rebalance(group, "updating metadata of member " + member.member_id);
}

// The store of a static member's new id failed: the group goes back to the old id (whose
// process may still be alive) and the new process is told the error with no member id, as
// Kafka answers, so it joins afresh. Called with the group's lock held.
JoinGroupResult GroupCoordinator::revert_static_member(GroupMetadata& group,
                                                       const std::string& instance_id,
                                                       const std::string& new_member_id,
                                                       const StaticMemberBefore& before) {
    logger().warn("group {}: cannot store static member {} as {}: back to {}", group.group_id(),
                  instance_id, new_member_id, before.member_id);
    auto member = group.replace_static_member(instance_id, new_member_id, before.member_id);
    JoinGroupResult r;
    if (member) {
        member->supported_protocols = before.protocols;
        member->rebalance_timeout_ms = before.rebalance_timeout_ms;
        member->session_timeout_ms = before.session_timeout_ms;
        schedule_heartbeat_expiry(group, *member, member->session_timeout_ms);
        r = join_result(group, *member);
    }
    r.member_id.clear();  // UNKNOWN_MEMBER_ID
    r.members.clear();
    return r;
}

// KIP-345: a static member restarted with a new member id. In a Stable group whose protocol
// would not change it takes over its old assignment without a rebalance.
void GroupCoordinator::update_static_member_and_rebalance(
    const std::shared_ptr<GroupMetadata>& group, const std::string& old_member_id,
    const std::string& new_member_id, JoinGroupRequest& request, JoinCallback done) {
    const std::string instance_id = *request.group_instance_id;
    auto member = group->replace_static_member(instance_id, old_member_id, new_member_id);
    if (!member) {
        JoinGroupResult r;
        r.error = ErrorCode::unknown_member_id;
        done(std::move(r));
        return;
    }
    // What a failed store puts back (Kafka reverts the swap: the old id stays valid).
    StaticMemberBefore before{old_member_id, member->supported_protocols,
                              member->rebalance_timeout_ms, member->session_timeout_ms};
    member->supported_protocols = std::move(request.protocols);
    member->rebalance_timeout_ms = request.rebalance_timeout_ms;
    member->session_timeout_ms = request.session_timeout_ms;
    member->client_id = request.client_id;
    member->client_host = request.client_host;
    schedule_heartbeat_expiry(*group, *member, member->session_timeout_ms);
    logger().info("group {}: static member {} rejoined as {} (was {})", group->group_id(),
                  instance_id, new_member_id, old_member_id);
    switch (group->state()) {
        case GroupState::stable:
            if (group->protocol_name == group->select_protocol()) {
                // Persist the new member id, then answer with the current generation.
                std::weak_ptr<GroupMetadata> weak = group;
                manager_.store_group(
                    *group, {},
                    [this, weak, new_member_id, instance_id, before = std::move(before),
                     done = std::move(done)](ErrorCode error) mutable {
                        auto g = weak.lock();
                        JoinGroupResult r;
                        r.member_id = new_member_id;
                        if (!g) {
                            r.error = ErrorCode::not_coordinator;
                            done(std::move(r));
                            return;
                        }
                        std::lock_guard lock(g->lock);
                        auto m = g->get(new_member_id);
                        if (!m) {
                            r.error = ErrorCode::unknown_member_id;
                        } else if (error != ErrorCode::none) {
                            r = revert_static_member(*g, instance_id, new_member_id, before);
                            r.error = error;
                        } else {
                            r = join_result(*g, *m);
                        }
                        done(std::move(r));
                    });
                return;
            }
            member->awaiting_join = std::move(done);
            maybe_prepare_rebalance(
                *group, "static member " + instance_id + " rejoined with another protocol");
            return;
        case GroupState::completing_rebalance:
            member->awaiting_join = std::move(done);
            maybe_prepare_rebalance(
                *group, "static member " + instance_id + " rejoined during the sync phase");
            return;
        case GroupState::preparing_rebalance:
            member->awaiting_join = std::move(done);
            return;
        case GroupState::empty:
        case GroupState::dead: {
            JoinGroupResult r;
            r.error = ErrorCode::unknown_member_id;
            done(std::move(r));
            return;
        }
    }
}

void GroupCoordinator::maybe_prepare_rebalance(GroupMetadata& group, const std::string& reason) {
    if (group.can_rebalance()) {
        prepare_rebalance(group, reason);
    }
}

void GroupCoordinator::prepare_rebalance(GroupMetadata& group, const std::string& reason) {
    if (group.is(GroupState::completing_rebalance)) {
        // Members waiting for the old generation's assignment must rejoin.
        reset_and_propagate_assignment_error(group, ErrorCode::rebalance_in_progress);
    }
    const bool initial = group.is(GroupState::empty);
    group.transition_to(GroupState::preparing_rebalance, scheduler_.now_ms());
    ++group.rebalance_token;
    const int64_t rebalance_timeout = group.max_rebalance_timeout_ms();
    group.initial_join_delay = initial;
    if (initial) {
        const int64_t delay = manager_.config().initial_rebalance_delay_ms;
        schedule_join_timer(group, delay, std::max<int64_t>(rebalance_timeout - delay, 0), true);
    } else {
        schedule_join_timer(group, rebalance_timeout, 0, false);
    }
    logger().info(
        "group {}: preparing to rebalance in state PreparingRebalance with old "
        "generation {} (reason: {})",
        group.group_id(), group.generation_id, reason);
}

void GroupCoordinator::schedule_join_timer(GroupMetadata& group, int64_t delay_ms,
                                           int64_t remaining_ms, bool initial) {
    const uint64_t token = group.rebalance_token;
    scheduler_.schedule(delay_ms, [this, gid = group.group_id(), token, remaining_ms, initial] {
        on_join_timer(gid, token, remaining_ms, initial);
    });
}

void GroupCoordinator::on_join_timer(const std::string& group_id, uint64_t token,
                                     int64_t remaining_ms, bool initial) {
    auto group = manager_.get_group(group_id);
    if (!group) {
        return;
    }
    std::lock_guard lock(group->lock);
    if (group->rebalance_token != token || !group->is(GroupState::preparing_rebalance)) {
        return;
    }
    if (initial && group->new_member_added && remaining_ms > 0) {
        // Kafka's InitialDelayedJoin: somebody joined during the delay; wait once more, up
        // to the rebalance timeout, for the rest of a starting fleet.
        group->new_member_added = false;
        const int64_t delay =
            std::min<int64_t>(manager_.config().initial_rebalance_delay_ms, remaining_ms);
        schedule_join_timer(*group, delay, std::max<int64_t>(remaining_ms - delay, 0), true);
        return;
    }
    complete_join(*group);
}

void GroupCoordinator::try_complete_join(GroupMetadata& group) {
    if (group.is(GroupState::preparing_rebalance) && !group.initial_join_delay &&
        group.has_all_members_joined()) {
        complete_join(group);
    }
}

// Kafka's onCompleteJoin.
void GroupCoordinator::complete_join(GroupMetadata& group) {
    ++group.rebalance_token;  // the pending join timer is now stale
    group.initial_join_delay = false;
    // Dynamic members that did not rejoin in time are gone; static ones keep their place
    // until their session expires.
    for (const auto& m : group.not_yet_rejoined_members()) {
        if (!m->is_static()) {
            scheduler_.cancel(m->heartbeat_timer);
            m->heartbeat_token = 0;
            group.remove(m->member_id);
        }
    }
    if (group.is(GroupState::dead)) {
        return;
    }
    if (!group.maybe_elect_new_joined_leader() && !group.empty()) {
        // Only static members that have not rejoined remain: wait for them (or their expiry).
        logger().warn("group {}: no member rejoined; waiting another rebalance timeout",
                      group.group_id());
        schedule_join_timer(group, group.max_rebalance_timeout_ms(), 0, false);
        return;
    }
    group.init_next_generation(scheduler_.now_ms());
    if (group.is(GroupState::empty)) {
        logger().info("group {} with generation {} is now empty", group.group_id(),
                      group.generation_id);
        manager_.store_group(group, {}, [gid = group.group_id()](ErrorCode error) {
            if (error != ErrorCode::none) {
                logger().warn("group {}: storing the empty group failed: {}", gid,
                              protocol::error_name(error));
            }
        });
        return;
    }
    logger().info("group {}: stabilized generation {} ({}) with {} members", group.group_id(),
                  group.generation_id, group.protocol_name.value_or(""), group.size());
    for (const auto& [id, member] : group.members()) {
        if (member->is_awaiting_join()) {
            member->complete_join(join_result(group, *member));
            member->is_new = false;
            schedule_heartbeat_expiry(group, *member, member->session_timeout_ms);
        }
    }
}

JoinGroupResult GroupCoordinator::join_result(const GroupMetadata& group,
                                              const MemberMetadata& member) const {
    JoinGroupResult r;
    r.member_id = member.member_id;
    r.generation_id = group.generation_id;
    r.protocol_type = group.protocol_type;
    r.protocol_name = group.protocol_name;
    r.leader_id = group.leader_id.value_or("");
    if (group.is_leader(member.member_id)) {
        r.members = group.current_member_metadata();
    }
    return r;
}

}  // namespace samsa::group
