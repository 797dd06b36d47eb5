#pragma once
// GroupMetadataManager: the groups this broker coordinates and their persistence in
// __consumer_offsets (Kafka's GroupMetadataManager).
//
//  - Ownership: the coordinator of a group is the leader of partition
//    abs(javaHashCode(group id)) % offsets.topic.num.partitions. When this broker becomes that
//    leader the partition is loaded (its groups rebuilt from the log on the I/O pool); until
//    then its groups answer COORDINATOR_LOAD_IN_PROGRESS. When it stops leading, its groups are
//    unloaded.
//  - Persistence: committed offsets and completed generations are appended to the partition
//    with offsets.commit.required.acks and answered only once replicated; deleting a group or
//    offsets appends tombstones.
//
// Thread-safe: mu_ guards the partition table and the group map; each group has its own lock
// (GroupMetadata::lock). Never take mu_ while holding a group's lock for long: both orders
// occur only through the short accessors here, which never hold both.

#include "broker/group/coordinator_log.h"
#include "broker/group/group_metadata.h"
#include "broker/group/scheduler.h"
#include "broker/group/types.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace samsa::group {

// Java's String.hashCode over the UTF-16 code units of `s` (UTF-8 in; invalid sequences count
// as one unit per byte), made non-negative as Kafka's Utils.abs does (x & 0x7fffffff).
int32_t java_string_hash_abs(std::string_view s);

class GroupMetadataManager {
  public:
    using OffsetsDone = std::function<void(std::map<TopicPartition, ErrorCode>)>;
    // Called once a partition's groups are in place (the coordinator schedules their members'
    // session expiry), with the groups' locks not held.
    using LoadedFn = std::function<void(const std::vector<std::shared_ptr<GroupMetadata>>&)>;

    GroupMetadataManager(GroupConfig config, CoordinatorLog& log, Scheduler& scheduler);

    const GroupConfig& config() const { return config_; }
    int32_t partition_for(const std::string& group_id) const;

    // ---- ownership ----
    bool is_partition_owned(int32_t partition) const;
    bool is_partition_loading(int32_t partition) const;
    bool is_group_local(const std::string& group_id) const {
        return is_partition_owned(partition_for(group_id));
    }
    bool is_group_loading(const std::string& group_id) const {
        return is_partition_loading(partition_for(group_id));
    }
    bool any_partition_loading() const;
    // Leadership of `partition` in leader epoch `epoch`: load it (after unloading what a
    // previous epoch left). `loaded` runs on the I/O pool when done.
    void load_partition(int32_t partition, int32_t epoch, LoadedFn loaded);
    // No longer the leader: forget the partition's groups; returns them (Dead now) so the
    // coordinator can answer their waiting members.
    std::vector<std::shared_ptr<GroupMetadata>> unload_partition(int32_t partition);
    std::vector<std::shared_ptr<GroupMetadata>> unload_all();

    // ---- groups ----
    std::shared_ptr<GroupMetadata> get_group(const std::string& group_id) const;
    // Adds `group` unless one with its id exists; returns the one in the map.
    std::shared_ptr<GroupMetadata> add_group(std::shared_ptr<GroupMetadata> group);
    void remove_group(const std::string& group_id);
    std::vector<std::shared_ptr<GroupMetadata>> current_groups() const;

    // ---- persistence (callers hold the group's lock; `done` runs later, without it) ----
    // The group's generation with `assignments`. Errors as Kafka maps them for groups.
    void store_group(GroupMetadata& group, const std::map<std::string, Bytes>& assignments,
                     std::function<void(ErrorCode)> done);
    // Appends the offsets, then (with the group's lock) records those that were stored.
    void store_offsets(const std::shared_ptr<GroupMetadata>& group,
                       std::map<TopicPartition, OffsetAndMetadata> offsets, OffsetsDone done);
    // Tombstones for `offsets` and, with `group_too`, the group itself. Not waited for (as
    // Kafka's cleanupGroupMetadata).
    void append_tombstones(const std::string& group_id, const std::vector<TopicPartition>& offsets,
                           bool group_too);

    // ---- expiry (offsets.retention.minutes) ----
    // Removes expired offsets of every group (Kafka 2.1+ rules: an empty group's offsets
    // count from when it became empty; a consumer group's offsets of topics it no longer
    // subscribes to count from their commit), writes their tombstones, and removes groups
    // left empty with no offsets. Returns how many offsets expired.
    size_t expire_offsets();

  private:
    struct PartitionState {
        int32_t epoch = -1;
        bool loading = false;
    };

    GroupConfig config_;
    CoordinatorLog& log_;
    Scheduler& scheduler_;

    mutable std::mutex mu_;
    std::map<int32_t, PartitionState> partitions_;
    std::map<std::string, std::shared_ptr<GroupMetadata>> groups_;
};

// Kafka's error translation for appends to __consumer_offsets.
ErrorCode group_store_error(ErrorCode append_error);
ErrorCode offset_store_error(ErrorCode append_error);

}  // namespace samsa::group
