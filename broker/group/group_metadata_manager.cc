#include "broker/group/group_metadata_manager.h"

#include "broker/group/group_loader.h"
#include "broker/group/group_records.h"
#include "broker/protocol/record_batch_builder.h"
#include "common/logging.h"

#include <optional>

namespace samsa::group {

namespace {

auto& logger() {
    static auto l = get_logger("group");
    return *l;
}

// One UTF-8 sequence at `i`: the code point, or nullopt (then the byte counts as a unit).
std::optional<uint32_t> next_code_point(std::string_view s, size_t& i) {
    const auto b0 = static_cast<uint8_t>(s[i]);
    int len = b0 < 0x80           ? 1
              : (b0 >> 5) == 0x6  ? 2
              : (b0 >> 4) == 0xE  ? 3
              : (b0 >> 3) == 0x1E ? 4
                                  : 0;
    if (len == 0 || i + len > s.size()) {
        ++i;
        return std::nullopt;
    }
    uint32_t cp = len == 1 ? b0 : b0 & (0x7F >> len);
    for (int k = 1; k < len; ++k) {
        const auto b = static_cast<uint8_t>(s[i + k]);
        if ((b & 0xC0) != 0x80) {
            ++i;
            return std::nullopt;
        }
        cp = (cp << 6) | (b & 0x3F);
    }
    i += len;
    return cp;
}

}  // namespace

int32_t java_string_hash_abs(std::string_view s) {
    uint32_t h = 0;  // Java's int arithmetic wraps: unsigned here, reinterpreted at the end
    auto mix = [&h](uint32_t unit) { h = 31 * h + unit; };
    for (size_t i = 0; i < s.size();) {
        auto cp = next_code_point(s, i);
        if (!cp) {
            mix(static_cast<uint8_t>(s[i - 1]));
        } else if (*cp >= 0x10000) {
            const uint32_t v = *cp - 0x10000;
            mix(0xD800 + (v >> 10));
            mix(0xDC00 + (v & 0x3FF));
        } else {
            mix(*cp);
        }
    }
    return static_cast<int32_t>(h & 0x7fffffff);
}

ErrorCode group_store_error(ErrorCode e) {
    switch (e) {
        case ErrorCode::unknown_topic_or_partition:
        case ErrorCode::not_enough_replicas:
        case ErrorCode::not_enough_replicas_after_append:
            return ErrorCode::coordinator_not_available;
        case ErrorCode::not_leader_or_follower:
        case ErrorCode::kafka_storage_error:
            return ErrorCode::not_coordinator;
        case ErrorCode::request_timed_out:
            return ErrorCode::rebalance_in_progress;
        case ErrorCode::message_too_large:
        case ErrorCode::record_list_too_large:
        case ErrorCode::invalid_fetch_size:
            return ErrorCode::unknown_server_error;
        default:
            return e;
    }
}

ErrorCode offset_store_error(ErrorCode e) {
    switch (e) {
        case ErrorCode::unknown_topic_or_partition:
        case ErrorCode::not_enough_replicas:
        case ErrorCode::not_enough_replicas_after_append:
            return ErrorCode::coordinator_not_available;
        case ErrorCode::not_leader_or_follower:
        case ErrorCode::kafka_storage_error:
            return ErrorCode::not_coordinator;
        case ErrorCode::message_too_large:
        case ErrorCode::record_list_too_large:
        case ErrorCode::invalid_fetch_size:
            return ErrorCode::invalid_commit_offset_size;
        default:
            return e;
    }
}

GroupMetadataManager::GroupMetadataManager(GroupConfig config, CoordinatorLog& log,
                                           Scheduler& scheduler)
    : config_(config), log_(log), scheduler_(scheduler) {}

int32_t GroupMetadataManager::partition_for(const std::string& group_id) const {
    return java_string_hash_abs(group_id) % std::max(1, config_.offsets_topic_num_partitions);
}

bool GroupMetadataManager::is_partition_owned(int32_t partition) const {
    std::lock_guard lock(mu_);
    auto it = partitions_.find(partition);
    return it != partitions_.end() && !it->second.loading;
}

bool GroupMetadataManager::is_partition_loading(int32_t partition) const {
    std::lock_guard lock(mu_);
    auto it = partitions_.find(partition);
    return it != partitions_.end() && it->second.loading;
}

bool GroupMetadataManager::any_partition_loading() const {
    std::lock_guard lock(mu_);
    for (const auto& [p, s] : partitions_) {
        if (s.loading) {
            return true;
        }
    }
    return false;
}

void GroupMetadataManager::load_partition(int32_t partition, int32_t epoch, LoadedFn loaded) {
    {
        std::lock_guard lock(mu_);
        partitions_[partition] = PartitionState{epoch, true};
    }
    auto loader = std::make_shared<GroupLoader>();
    const auto started = scheduler_.now_ms();
    log_.read(
        partition, config_.offsets_load_buffer_size,
        [loader](std::span<const uint8_t> chunk) { loader->add_batches(chunk); },
        [this, partition, epoch, loader, started, loaded = std::move(loaded)](ErrorCode error) {
            auto groups = loader->finish(scheduler_.now_ms());
            {
                std::lock_guard lock(mu_);
                auto it = partitions_.find(partition);
                if (it == partitions_.end() || it->second.epoch != epoch) {
                    return;  // resigned, or elected again, meanwhile: that load decides
                }
                if (error != ErrorCode::none) {
                    logger().warn(
                        "__consumer_offsets-{}: loading failed ({}); the partition's "
                        "groups stay unavailable",
                        partition, protocol::error_name(error));
                    partitions_.erase(it);
                    return;
                }
                for (auto& g : groups) {
                    groups_[g->group_id()] = g;
                }
                it->second.loading = false;
            }
            logger().info(
                "__consumer_offsets-{}: loaded {} groups in {} ms (epoch {}, {} records "
                "skipped)",
                partition, groups.size(), scheduler_.now_ms() - started, epoch,
                loader->skipped_records());
            loaded(groups);
        });
}

std::vector<std::shared_ptr<GroupMetadata>> GroupMetadataManager::unload_partition(
    int32_t partition) {
    std::vector<std::shared_ptr<GroupMetadata>> out;
    std::lock_guard lock(mu_);
    partitions_.erase(partition);
    for (auto it = groups_.begin(); it != groups_.end();) {
        if (partition_for(it->first) == partition) {
            out.push_back(it->second);
            it = groups_.erase(it);
        } else {
            ++it;
        }
    }
    return out;
}

std::vector<std::shared_ptr<GroupMetadata>> GroupMetadataManager::unload_all() {
    std::vector<std::shared_ptr<GroupMetadata>> out;
    std::lock_guard lock(mu_);
    partitions_.clear();
    for (auto& [id, g] : groups_) {
        out.push_back(g);
    }
    groups_.clear();
    return out;
}

std::shared_ptr<GroupMetadata> GroupMetadataManager::get_group(const std::string& group_id) const {
    std::lock_guard lock(mu_);
    auto it = groups_.find(group_id);
    return it == groups_.end() ? nullptr : it->second;
}

std::shared_ptr<GroupMetadata> GroupMetadataManager::add_group(
    std::shared_ptr<GroupMetadata> group) {
    std::lock_guard lock(mu_);
    return groups_.try_emplace(group->group_id(), group).first->second;
}

void GroupMetadataManager::remove_group(const std::string& group_id) {
    std::lock_guard lock(mu_);
    groups_.erase(group_id);
}

std::vector<std::shared_ptr<GroupMetadata>> GroupMetadataManager::current_groups() const {
    std::lock_guard lock(mu_);
    std::vector<std::shared_ptr<GroupMetadata>> out;
    for (const auto& [id, g] : groups_) {
        out.push_back(g);
    }
    return out;
}

void GroupMetadataManager::store_group(GroupMetadata& group,
                                       const std::map<std::string, Bytes>& assignments,
                                       std::function<void(ErrorCode)> done) {
    protocol::RecordBatchBuilder builder;
    auto key = group_metadata_key(group.group_id());
    auto value = group_metadata_value(group, assignments);
    builder.append(0, scheduler_.now_ms(), key, value);
    log_.append(partition_for(group.group_id()), builder.build(),
                config_.offsets_commit_required_acks, config_.offsets_commit_timeout_ms,
                [done = std::move(done)](ErrorCode e) { done(group_store_error(e)); });
}

void GroupMetadataManager::store_offsets(const std::shared_ptr<GroupMetadata>& group,
                                         std::map<TopicPartition, OffsetAndMetadata> offsets,
                                         OffsetsDone done) {
    protocol::RecordBatchBuilder builder;
    const int64_t now = scheduler_.now_ms();
    int32_t delta = 0;
    for (const auto& [tp, offset] : offsets) {
        auto key = offset_commit_key(group->group_id(), tp);
        auto value = offset_commit_value(offset);
        builder.append(delta++, now, key, value);
    }
    std::weak_ptr<GroupMetadata> weak = group;
    log_.append(partition_for(group->group_id()), builder.build(),
                config_.offsets_commit_required_acks, config_.offsets_commit_timeout_ms,
                [weak, offsets = std::move(offsets), done = std::move(done)](ErrorCode e) {
                    const ErrorCode error = offset_store_error(e);
                    std::map<TopicPartition, ErrorCode> results;
                    if (auto g = weak.lock()) {
                        std::lock_guard lock(g->lock);
                        for (const auto& [tp, offset] : offsets) {
                            if (error == ErrorCode::none && !g->is(GroupState::dead)) {
                                g->offsets[tp] = offset;
                            }
                        }
                    }
                    for (const auto& [tp, offset] : offsets) {
                        results[tp] = error;
                    }
                    done(std::move(results));
                });
}

void GroupMetadataManager::append_tombstones(const std::string& group_id,
                                             const std::vector<TopicPartition>& offsets,
                                             bool group_too) {
    if (offsets.empty() && !group_too) {
        return;
    }
    protocol::RecordBatchBuilder builder;
    const int64_t now = scheduler_.now_ms();
    int32_t delta = 0;
    for (const auto& tp : offsets) {
        auto key = offset_commit_key(group_id, tp);
        builder.append(delta++, now, key, std::nullopt);
    }
    if (group_too) {
        auto key = group_metadata_key(group_id);
        builder.append(delta++, now, key, std::nullopt);
    }
    log_.append(partition_for(group_id), builder.build(), 1, config_.offsets_commit_timeout_ms,
                [group_id](ErrorCode e) {
                    if (e != ErrorCode::none) {
                        logger().warn("group {}: writing tombstones failed: {}", group_id,
                                      protocol::error_name(e));
                    }
                });
}

size_t GroupMetadataManager::expire_offsets() {
    const int64_t now = scheduler_.now_ms();
    size_t expired_total = 0;
    for (const auto& group : current_groups()) {
        std::vector<TopicPartition> expired;
        bool remove_group = false;
        {
            std::lock_guard lock(group->lock);
            const bool empty = group->is(GroupState::empty);
            std::optional<std::set<std::string>> subscribed;
            if (!empty) {
                subscribed = group->subscribed_topics();
                if (!subscribed) {
                    continue;  // a live group of another protocol keeps its offsets
                }
            }
            for (const auto& [tp, offset] : group->offsets) {
                if (subscribed && subscribed->contains(tp.topic)) {
                    continue;
                }
                const int64_t base = empty ? std::max(group->current_state_timestamp_ms(),
                                                      offset.commit_timestamp_ms)
                                           : offset.commit_timestamp_ms;
                const bool past = offset.expire_timestamp_ms
                                      ? now >= *offset.expire_timestamp_ms
                                      : now - base >= config_.offsets_retention_ms;
                if (past) {
                    expired.push_back(tp);
                }
            }
            for (const auto& tp : expired) {
                group->offsets.erase(tp);
            }
            if (empty && group->offsets.empty()) {
                group->transition_to(GroupState::dead, now);
                remove_group = true;
            }
        }
        if (remove_group) {
            this->remove_group(group->group_id());
        }
        if (!expired.empty() || remove_group) {
            logger().info("group {}: {} offsets expired{}", group->group_id(), expired.size(),
                          remove_group ? "; the group is removed" : "");
            append_tombstones(group->group_id(), expired, remove_group);
        }
        expired_total += expired.size();
    }
    return expired_total;
}

}  // namespace samsa::group
