// GroupCoordinator: committed offsets and group administration (Kafka's handleCommitOffsets,
// handleFetchOffsets, handleDescribeGroup, handleListGroups, handleDeleteGroups and
// handleDeleteOffsets), and the periodic offset expiry.

#include "broker/group/group_coordinator.h"
#include "common/logging.h"

namespace samsa::group {

namespace {

auto& logger() {
    static auto l = get_logger("group");
    return *l;
}

std::map<TopicPartition, ErrorCode> all_failed(
    const std::map<TopicPartition, OffsetAndMetadata>& offsets, ErrorCode error) {
    std::map<TopicPartition, ErrorCode> out;
    for (const auto& [tp, o] : offsets) {
        out[tp] = error;
    }
    return out;
}

}  // namespace

void GroupCoordinator::commit_offsets(const std::string& group_id, const std::string& member_id,
                                      const std::optional<std::string>& group_instance_id,
                                      int32_t generation_id,
                                      std::map<TopicPartition, OffsetAndMetadata> offsets,
                                      CommitCallback done) {
    if (auto e = validate_group_status(group_id); e != ErrorCode::none) {
        return done(all_failed(offsets, e));
    }
    auto group = manager_.get_group(group_id);
    if (!group) {
        if (generation_id >= 0) {
            // A member of a generation this coordinator does not know.
            return done(all_failed(offsets, ErrorCode::illegal_generation));
        }
        // A consumer that only stores offsets here, without group management.
        group = manager_.add_group(
            std::make_shared<GroupMetadata>(group_id, GroupState::empty, scheduler_.now_ms()));
    }
    do_commit_offsets(group, member_id, group_instance_id, generation_id, std::move(offsets), done);
}

void GroupCoordinator::do_commit_offsets(const std::shared_ptr<GroupMetadata>& group,
                                         const std::string& member_id,
                                         const std::optional<std::string>& group_instance_id,
                                         int32_t generation_id,
                                         std::map<TopicPartition, OffsetAndMetadata> offsets,
                                         CommitCallback& done) {
    std::lock_guard lock(group->lock);
    ErrorCode error = ErrorCode::none;
    if (group->is(GroupState::dead)) {
        error = ErrorCode::coordinator_not_available;  // deleted or unloaded meanwhile
    } else if (group->is_static_member_fenced(member_id, group_instance_id)) {
        error = ErrorCode::fenced_instance_id;
    } else if (generation_id < 0 && group->is(GroupState::empty)) {
        // A "simple" commit by a non-member.
    } else if (group->is(GroupState::completing_rebalance)) {
        // Partitions may move: the member commits again after the rebalance.
        error = ErrorCode::rebalance_in_progress;
    } else if (!group->has(member_id)) {
        error = ErrorCode::unknown_member_id;
    } else if (generation_id != group->generation_id) {
        error = ErrorCode::illegal_generation;
    } else {
        auto member = group->get(member_id);
        schedule_heartbeat_expiry(*group, *member, member->session_timeout_ms);
    }
    if (error != ErrorCode::none) {
        return done(all_failed(offsets, error));
    }
    // Metadata over offset.metadata.max.bytes fails its partition; the rest are stored.
    std::map<TopicPartition, ErrorCode> too_large;
    const auto max_metadata = static_cast<size_t>(manager_.config().offset_metadata_max_bytes);
    for (auto it = offsets.begin(); it != offsets.end();) {
        if (it->second.metadata.size() > max_metadata) {
            too_large[it->first] = ErrorCode::offset_metadata_too_large;
            it = offsets.erase(it);
        } else {
            ++it;
        }
    }
    if (offsets.empty()) {
        return done(std::move(too_large));
    }
    manager_.store_offsets(group, std::move(offsets),
                           [too_large = std::move(too_large), done = std::move(done)](
                               std::map<TopicPartition, ErrorCode> stored) mutable {
                               stored.merge(too_large);
                               done(std::move(stored));
                           });
}

OffsetFetchResult GroupCoordinator::fetch_offsets(
    const std::string& group_id, const std::optional<std::vector<TopicPartition>>& partitions) {
    OffsetFetchResult result;
    if (auto e = validate_group_status(group_id); e != ErrorCode::none) {
        result.error = e;
        return result;
    }
    auto no_offset = [] {
        OffsetAndMetadata none;
        none.offset = -1;
        return none;
    };
    auto group = manager_.get_group(group_id);
    if (!group) {
        if (partitions) {
            for (const auto& tp : *partitions) {
                result.offsets[tp] = no_offset();
            }
        }
        return result;
    }
    std::lock_guard lock(group->lock);
    if (!partitions) {
        if (!group->is(GroupState::dead)) {
            result.offsets = group->offsets;
        }
        return result;
    }
    for (const auto& tp : *partitions) {
        auto it = group->offsets.find(tp);
        result.offsets[tp] =
            it != group->offsets.end() && !group->is(GroupState::dead) ? it->second : no_offset();
    }
    return result;
}

GroupSummary GroupCoordinator::describe_group(const std::string& group_id) {
    GroupSummary summary;
    if (auto e = validate_group_status(group_id); e != ErrorCode::none) {
        summary.error = e;
        return summary;
    }
    auto group = manager_.get_group(group_id);
    if (!group) {
        summary.state = state_name(GroupState::dead);
        return summary;
    }
    std::lock_guard lock(group->lock);
    summary.state = state_name(group->state());
    summary.protocol_type = group->protocol_type.value_or("");
    // Only a Stable group has a settled protocol and assignment to show.
    const bool stable = group->is(GroupState::stable);
    if (stable) {
        summary.protocol = group->protocol_name.value_or("");
    }
    for (const auto& [id, m] : group->members()) {
        MemberSummary ms;
        ms.member_id = id;
        ms.group_instance_id = m->group_instance_id;
        ms.client_id = m->client_id;
        ms.client_host = m->client_host;
        if (stable) {
            ms.metadata = m->metadata(summary.protocol);
            ms.assignment = m->assignment;
        }
        summary.members.push_back(std::move(ms));
    }
    return summary;
}

std::pair<ErrorCode, std::vector<ListedGroup>> GroupCoordinator::list_groups() {
    if (!active_) {
        return {ErrorCode::coordinator_not_available, {}};
    }
    const ErrorCode error = manager_.any_partition_loading()
                                ? ErrorCode::coordinator_load_in_progress
                                : ErrorCode::none;
    std::vector<ListedGroup> out;
    for (const auto& group : manager_.current_groups()) {
        std::lock_guard lock(group->lock);
        if (group->is(GroupState::dead)) {
            continue;
        }
        out.push_back(ListedGroup{group->group_id(), group->protocol_type.value_or(""),
                                  state_name(group->state())});
    }
    return {error, std::move(out)};
}

std::map<std::string, ErrorCode> GroupCoordinator::delete_groups(
    const std::vector<std::string>& group_ids) {
    std::map<std::string, ErrorCode> results;
    for (const auto& id : group_ids) {
        if (auto e = validate_group_status(id); e != ErrorCode::none) {
            results[id] = e;
            continue;
        }
        auto group = manager_.get_group(id);
        if (!group) {
            results[id] = ErrorCode::group_id_not_found;
            continue;
        }
        std::vector<TopicPartition> offsets;
        {
            std::lock_guard lock(group->lock);
            if (group->is(GroupState::dead)) {
                results[id] = ErrorCode::group_id_not_found;
                continue;
            }
            if (!group->is(GroupState::empty)) {
                results[id] = ErrorCode::non_empty_group;
                continue;
            }
            for (const auto& [tp, o] : group->offsets) {
                offsets.push_back(tp);
            }
            group->offsets.clear();
            group->transition_to(GroupState::dead, scheduler_.now_ms());
        }
        manager_.remove_group(id);
        manager_.append_tombstones(id, offsets, true);
        logger().info("group {} deleted with {} offsets", id, offsets.size());
        results[id] = ErrorCode::none;
    }
    return results;
}

OffsetDeleteResult GroupCoordinator::delete_offsets(const std::string& group_id,
                                                    const std::vector<TopicPartition>& partitions) {
    OffsetDeleteResult result;
    if (auto e = validate_group_status(group_id); e != ErrorCode::none) {
        result.error = e;
        return result;
    }
    auto group = manager_.get_group(group_id);
    if (!group) {
        result.error = ErrorCode::group_id_not_found;
        return result;
    }
    std::vector<TopicPartition> deleted;
    {
        std::lock_guard lock(group->lock);
        if (group->is(GroupState::dead)) {
            result.error = ErrorCode::group_id_not_found;
            return result;
        }
        std::optional<std::set<std::string>> subscribed;
        if (!group->is(GroupState::empty)) {
            // A live group may lose only the offsets of topics nobody subscribes to, which
            // Kafka can tell for the consumer protocol only.
            subscribed = group->subscribed_topics();
            if (!subscribed) {
                result.error = ErrorCode::non_empty_group;
                return result;
            }
        }
        for (const auto& tp : partitions) {
            if (subscribed && subscribed->contains(tp.topic)) {
                result.partitions[tp] = ErrorCode::group_subscribed_to_topic;
                continue;
            }
            result.partitions[tp] = ErrorCode::none;
            group->offsets.erase(tp);
            deleted.push_back(tp);
        }
    }
    manager_.append_tombstones(group_id, deleted, false);
    return result;
}

void GroupCoordinator::schedule_offset_expiry() {
    const auto interval = manager_.config().offsets_retention_check_interval_ms;
    expiry_timer_ = scheduler_.schedule(interval, [this] {
        if (!active_) {
            return;
        }
        manager_.expire_offsets();
        schedule_offset_expiry();
    });
}

}  // namespace samsa::group
