// KafkaController: partition reassignment (KIP-455; Kafka 2.8's onPartitionReassignment and the
// events around it). See kafka_controller.h and ZK-MODE §b "Event: reassignment".
//
// A move of a partition from its original replicas ORS to the targets TRS runs in phases:
//   U  RS = TRS + (ORS − TRS), AR = TRS − ORS, RR = ORS − TRS go to /brokers/topics/<t>, then to
//      the context; replicas left over from a move this one replaces are stopped.
//   A  while some target is not in the ISR: bump the leader epoch, send LeaderAndIsr to ORS and
//      to AR (isNew), and wait. The leader adds a caught-up AR replica to the ISR in the state
//      znode, whose data watch (or the ISR change notification) brings the partition back here.
//   B  once TRS ⊆ ISR: RS = TRS in memory; a reassign election if the leader is not a target or
//      is dead, else an epoch bump, LeaderAndIsr to TRS; RR leave the ISR and are stopped and
//      deleted (StopReplica delete=true); RS = TRS with no AR/RR in the topic znode; the entry
//      leaves /admin/reassign_partitions (deleted when empty); UpdateMetadata to all.
// Moves come from AlterPartitionReassignments and /admin/reassign_partitions; the last one asked
// for wins. The topic znodes carry AR/RR, so a new controller resumes them (failover step 9),
// and moves waiting for a broker resume when it registers. Topic deletion waits for them.

#include "broker/controller/controller_channel_manager.h"
#include "broker/controller/controller_request_batch.h"
#include "broker/controller/controller_zk_handlers.h"
#include "broker/controller/kafka_controller.h"
#include "broker/controller/partition_state_machine.h"
#include "broker/controller/reply_once.h"
#include "broker/controller/zk_conversions.h"
#include "common/logging.h"
#include "zk/kafka_zk_client.h"
#include "zk/zk_data.h"
#include "zk/zookeeper_client.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <iterator>
#include <memory>
#include <utility>

namespace samsa::controller {

namespace {

auto& logger() {
    static auto l = get_logger("controller");
    return *l;
}

using protocol::ErrorCode;

const std::string kReassignPartitionsPath = zk::ReassignPartitionsZNode::path();
// Kafka's ApiError(Errors.NOT_CONTROLLER) carries the error's default message.
const char* const kNotControllerMessage = "This is not the correct controller for this cluster.";

bool contains(const std::vector<int32_t>& v, int32_t x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

bool is_subset(const std::vector<int32_t>& of, const std::vector<int32_t>& in) {
    return std::all_of(of.begin(), of.end(), [&](int32_t r) { return contains(in, r); });
}

zk::Uuid to_zk_uuid(const protocol::Uuid& id) {
    uint64_t msb = 0;
    uint64_t lsb = 0;
    for (int i = 0; i < 8; ++i) {
        msb = (msb << 8) | id[i];
        lsb = (lsb << 8) | id[i + 8];
    }
    return zk::Uuid{msb, lsb};
}

}  // namespace

// ---- Requests from the API (queued as controller events) ----------------------------------

void KafkaController::alter_partition_reassignments(ReassignmentTargets targets,
                                                    AlterReassignmentsCallback done) {
    auto reply = std::make_shared<ReplyOnce<AlterReassignmentsResult>>(
        std::move(done), AlterReassignmentsResult{ErrorCode::not_controller, {}});
    events_.put({"ApiPartitionReassignment", [this, targets = std::move(targets), reply] {
                     (*reply)(process_api_partition_reassignment(targets));
                 }});
}

void KafkaController::list_partition_reassignments(
    std::optional<std::set<TopicPartition>> partitions, ListReassignmentsCallback done) {
    auto reply = std::make_shared<ReplyOnce<ListReassignmentsResult>>(
        std::move(done), ListReassignmentsResult{ErrorCode::not_controller, {}});
    events_.put({"ListPartitionReassignments", [this, partitions = std::move(partitions), reply] {
                     (*reply)(process_list_partition_reassignments(partitions));
                 }});
}

// Kafka's processApiPartitionReassignment.
AlterReassignmentsResult KafkaController::process_api_partition_reassignment(
    const ReassignmentTargets& targets) {
    if (!channels_) {
        return {ErrorCode::not_controller, {}};
    }
    AlterReassignmentsResult result;
    std::map<TopicPartition, ReplicaAssignment> to_reassign;
    for (const auto& [tp, target] : targets) {
        if (target) {
            auto invalid = validate_reassignment(
                context_.full_assignment(tp), *target,
                [&](int32_t b) { return context_.is_live_or_shutting_down(b); });
            if (invalid) {
                result.partitions[tp] = *invalid;
                continue;
            }
        }
        if (auto reassignment = maybe_build_reassignment(tp, target)) {
            to_reassign[tp] = *reassignment;
        } else {
            result.partitions[tp] = ApiError{ErrorCode::no_reassignment_in_progress,
                                             "No partition reassignment is in progress."};
        }
    }
    // The latest request wins over what the znode asked for the same partitions.
    maybe_remove_from_zk_reassignment([&](const TopicPartition& tp, const std::vector<int32_t>&) {
        return to_reassign.contains(tp);
    });
    result.partitions.merge(maybe_trigger_partition_reassignment(to_reassign));
    if (!channels_) {
        return {ErrorCode::not_controller, {}};
    }
    return result;
}

ListReassignmentsResult KafkaController::process_list_partition_reassignments(
    const std::optional<std::set<TopicPartition>>& partitions) {
    if (!channels_) {
        return {ErrorCode::not_controller, {}};
    }
    ListReassignmentsResult result;
    for (const auto& tp : partitions.value_or(context_.partitions_being_reassigned)) {
        auto assignment = context_.full_assignment(tp);
        if (assignment.is_being_reassigned()) {
            result.partitions[tp] = std::move(assignment);
        }
    }
    return result;
}

// Kafka's maybeBuildReassignment: nullopt for a cancellation with nothing to cancel.
std::optional<ReplicaAssignment> KafkaController::maybe_build_reassignment(
    const TopicPartition& tp, const std::optional<std::vector<int32_t>>& target) const {
    const auto current = context_.full_assignment(tp);
    if (current.is_being_reassigned()) {
        return current.reassign_to(target.value_or(current.origin_replicas()));
    }
    if (!target) {
        return std::nullopt;
    }
    return current.reassign_to(*target);
}

std::map<TopicPartition, ApiError> KafkaController::maybe_trigger_partition_reassignment(
    const std::map<TopicPartition, ReplicaAssignment>& reassignments) {
    std::map<TopicPartition, ApiError> results;
    for (const auto& [tp, reassignment] : reassignments) {
        if (!channels_) {
            results[tp] = ApiError{ErrorCode::not_controller, kNotControllerMessage};
        } else if (context_.topics_to_be_deleted.contains(tp.topic) ||
                   context_.replicas(tp).empty()) {
            logger().info("skipping reassignment of {}: it does not exist or is being deleted", tp);
            results[tp] =
                ApiError{ErrorCode::unknown_topic_or_partition, "The partition does not exist."};
        } else if (guarded("reassigning a partition",
                           [&] { return on_partition_reassignment(tp, reassignment); })) {
            results[tp] = ApiError{};
        } else {
            results[tp] = channels_ ? ApiError{ErrorCode::unknown_server_error,
                                               "The server experienced an unexpected error "
                                               "when processing the request."}
                                    : ApiError{ErrorCode::not_controller, kNotControllerMessage};
        }
    }
    return results;
}

// ---- The /admin/reassign_partitions znode ---------------------------------------------------

// Kafka's processZkPartitionReassignment. Unlike Kafka, targets are validated as the API's are
// (an empty or duplicate list would leave the partition without a leader); invalid entries are
// dropped from the znode like failed ones.
std::set<TopicPartition> KafkaController::process_zk_partition_reassignment() {
    if (!channels_) {
        return {};
    }
    // Arms the exists watch for the next request, and tells whether there is one now.
    auto exists = zk_.exists(kReassignPartitionsPath, /*watch=*/true);
    if (!exists || !exists.value()) {
        return {};
    }
    auto listed = zk_.get_partition_reassignment();
    if (!listed && listed.error() == zk::Errc::malformed_data) {
        logger().warn("{} is malformed; deleting it", kReassignPartitionsPath);
        guarded("deleting the reassignment znode",
                [&] { return zk_.delete_partition_reassignment(context_.epoch_zk_version); });
        return {};
    }
    if (!listed) {
        logger().error("cannot read {}: {}", kReassignPartitionsPath, listed.error().message());
        return {};
    }
    if (!listed.value()) {
        return {};
    }
    std::map<TopicPartition, ApiError> failed;
    std::map<TopicPartition, ReplicaAssignment> to_reassign;
    for (const auto& [tp, target] : *listed.value()) {
        auto ints = to_ints(target);
        auto invalid = validate_reassignment(context_.full_assignment(tp), ints, [&](int32_t b) {
            return context_.is_live_or_shutting_down(b);
        });
        if (invalid) {
            failed[tp] = *invalid;
        } else {
            to_reassign[tp] = *maybe_build_reassignment(tp, ints);
        }
    }
    std::set<TopicPartition> started;
    for (auto& [tp, error] : maybe_trigger_partition_reassignment(to_reassign)) {
        if (error.error == ErrorCode::none) {
            started.insert(tp);
        } else {
            failed[tp] = error;
        }
    }
    if (!failed.empty() && channels_) {
        for (const auto& [tp, error] : failed) {
            logger().warn("reassignment of {} through {} failed: {} {}", tp,
                          kReassignPartitionsPath, protocol::error_name(error.error),
                          error.message.value_or(""));
        }
        maybe_remove_from_zk_reassignment(
            [&](const TopicPartition& tp, const std::vector<int32_t>&) {
                return failed.contains(tp);
            });
    }
    return started;
}

// Kafka's maybeRemoveFromZkReassignment: drops the entries `remove` picks from the znode, and
// deletes it once none is left (then looks again, which re-arms the watch).
void KafkaController::maybe_remove_from_zk_reassignment(
    const std::function<bool(const TopicPartition&, const std::vector<int32_t>&)>& remove) {
    auto listed = zk_.get_partition_reassignment();
    if (!listed || !listed.value()) {
        return;
    }
    std::map<TopicPartition, std::vector<BrokerId>> kept;
    for (const auto& [tp, target] : *listed.value()) {
        if (!remove(tp, to_ints(target))) {
            kept[tp] = target;
        }
    }
    if (kept.empty()) {
        logger().info("no more partitions to reassign; deleting {}", kReassignPartitionsPath);
        if (guarded("deleting the reassignment znode",
                    [&] { return zk_.delete_partition_reassignment(context_.epoch_zk_version); })) {
            events_.put(
                {"ZkPartitionReassignment", [this] { process_zk_partition_reassignment(); }});
        }
    } else if (kept.size() != listed.value()->size()) {
        guarded("updating the reassignment znode", [&] {
            return zk_.set_or_create_partition_reassignment(kept, context_.epoch_zk_version);
        });
    }
}

// ---- Resuming (failover, broker startup) and completing -------------------------------------

void KafkaController::initialize_partition_reassignments() {
    if (!channels_) {
        return;
    }
    auto from_zk = process_zk_partition_reassignment();
    maybe_resume_reassignments(
        [&](const TopicPartition& tp, const ReplicaAssignment&) { return !from_zk.contains(tp); });
}

void KafkaController::maybe_resume_reassignments(
    const std::function<bool(const TopicPartition&, const ReplicaAssignment&)>& resume) {
    for (const auto& tp : std::set<TopicPartition>(context_.partitions_being_reassigned)) {
        auto assignment = context_.full_assignment(tp);
        if (!channels_ || !resume(tp, assignment)) {
            continue;
        }
        logger().info("resuming the reassignment of {} to [{}]", tp,
                      fmt::join(assignment.target_replicas(), ","));
        guarded("resuming a reassignment",
                [&] { return on_partition_reassignment(tp, assignment); });
    }
}

void KafkaController::process_partition_reassignment_isr_change(const TopicPartition& tp) {
    if (!channels_ || !context_.partitions_being_reassigned.contains(tp)) {
        return;
    }
    // Watches fire once: arm it again before reading, so no change is missed.
    (void)zk_.exists(zk::TopicPartitionStateZNode::path(tp), /*watch=*/true);
    maybe_complete_reassignment(tp);
}

void KafkaController::maybe_complete_reassignment(const TopicPartition& tp) {
    const auto assignment = context_.full_assignment(tp);
    guarded("completing a reassignment", [&]() -> result<void> {
        SAMSA_TRY(auto complete, is_reassignment_complete(tp, assignment));
        if (!complete) {
            return success();
        }
        logger().info("target replicas [{}] of {} are all in the ISR",
                      fmt::join(assignment.target_replicas(), ","), tp);
        return on_partition_reassignment(tp, assignment);
    });
}

// ---- The move itself (Kafka's onPartitionReassignment) --------------------------------------

result<void> KafkaController::on_partition_reassignment(const TopicPartition& tp,
                                                        const ReplicaAssignment& reassignment) {
    SAMSA_TRY(update_current_reassignment(tp, reassignment));
    SAMSA_TRY(auto complete, is_reassignment_complete(tp, reassignment));
    if (!complete) {
        logger().info("reassigning {}: replicas [{}], adding [{}], removing [{}]", tp,
                      fmt::join(reassignment.replicas, ","), fmt::join(reassignment.adding, ","),
                      fmt::join(reassignment.removing, ","));
        return update_leader_epoch_and_send_request(tp, reassignment);  // phase A
    }
    // Phase B.
    const ReplicaAssignment completed{reassignment.target_replicas(), {}, {}};
    context_.set_full_assignment(tp, completed);
    SAMSA_TRY(move_reassigned_partition_leader_if_required(tp, completed));
    SAMSA_TRY(stop_removed_replicas_of_reassigned_partition(tp, reassignment.removing,
                                                            /*before_any_bump=*/false));
    SAMSA_TRY(update_replica_assignment_for_partition(tp, completed));
    remove_partition_from_reassigning_partitions(tp, completed);
    if (!channels_) {
        return success();
    }
    batch_->add_update_metadata(context_.live_or_shutting_down_broker_ids(), {tp});
    send_batch();
    logger().info("reassignment of {} to [{}] complete", tp, fmt::join(completed.replicas, ","));
    resume_deletions();
    return success();
}

result<void> KafkaController::update_current_reassignment(const TopicPartition& tp,
                                                          const ReplicaAssignment& reassignment) {
    const auto current = context_.full_assignment(tp);
    if (current != reassignment) {
        SAMSA_TRY(update_replica_assignment_for_partition(tp, reassignment));  // U1
        context_.set_full_assignment(tp, reassignment);                        // U2
        // A move replacing another: replicas the earlier one was adding may be unneeded now.
        auto unneeded = without(current.replicas, reassignment.replicas);
        if (!unneeded.empty()) {
            SAMSA_TRY(stop_removed_replicas_of_reassigned_partition(tp, unneeded,
                                                                    /*before_any_bump=*/true));
        }
    }
    watch_reassignment_isr(tp);
    context_.partitions_being_reassigned.insert(tp);
    return success();
}

// Read from ZooKeeper, not the cache: the leader writes ISR changes there itself.
result<bool> KafkaController::is_reassignment_complete(const TopicPartition& tp,
                                                       const ReplicaAssignment& reassignment) {
    if (!reassignment.is_being_reassigned()) {
        return true;
    }
    SAMSA_TRY(auto states, zk_.get_partition_states({tp}));
    auto it = states.find(tp);
    return it != states.end() &&
           is_subset(reassignment.target_replicas(), to_ints(it->second.leader_and_isr.isr));
}

// Replicas learn a new replica list only with a newer leader epoch.
result<void> KafkaController::update_leader_epoch_and_send_request(
    const TopicPartition& tp, const ReplicaAssignment& assignment) {
    SAMSA_TRY(auto bumped, partitions_->bump_leader_epoch(tp));
    if (!bumped) {
        return success();  // logged; the move waits for the next ISR change or failover
    }
    // Only ORS may have an existing log to keep (isNew=false); AR replicas start new ones.
    auto live = [&](const std::vector<int32_t>& brokers) {
        std::vector<int32_t> out;
        std::copy_if(brokers.begin(), brokers.end(), std::back_inserter(out),
                     [&](int32_t b) { return context_.is_live_or_shutting_down(b); });
        return out;
    };
    batch_->add_leader_and_isr(live(assignment.origin_replicas()), tp, *bumped, false);
    batch_->add_leader_and_isr(live(assignment.adding), tp, *bumped, true);
    send_batch();
    return success();
}

result<void> KafkaController::move_reassigned_partition_leader_if_required(
    const TopicPartition& tp, const ReplicaAssignment& completed) {
    auto l = context_.leadership.find(tp);
    const int32_t leader = l == context_.leadership.end() ? -1 : l->second.leader_and_isr.leader;
    if (!contains(completed.replicas, leader) || !context_.is_live(leader)) {
        logger().info("leader {} of {} is not a live target replica of [{}]; electing one", leader,
                      tp, fmt::join(completed.replicas, ","));
        return partitions_->elect_reassigned_leaders({tp});
    }
    return update_leader_epoch_and_send_request(tp, completed);
}

// Kafka's stopRemovedReplicasOfReassignedPartition: each removed replica leaves the ISR
// (OfflineReplica) and is stopped and deleted (ReplicaDeletionStarted → NonExistent).
// `before_any_bump`: no epoch has been bumped since the removed replicas last heard from the
// controller (a move replaced before it completed), so one is made unless the ISR shrink did.
result<void> KafkaController::stop_removed_replicas_of_reassigned_partition(
    const TopicPartition& tp, const std::vector<int32_t>& removed, bool before_any_bump) {
    // The replicas that stay learn each new epoch; the removed ones must not, so that the
    // StopReplica below is newer than what they have.
    std::vector<int32_t> staying;
    for (int32_t r : without(context_.replicas(tp), removed)) {
        if (context_.is_live_or_shutting_down(r)) {
            staying.push_back(r);
        }
    }
    const int32_t epoch_before = context_.leadership[tp].leader_and_isr.leader_epoch;
    for (int32_t replica : removed) {
        SAMSA_TRY(partitions_->remove_replica_from_isr(replica, {tp}));
    }
    if (before_any_bump && context_.leadership[tp].leader_and_isr.leader_epoch == epoch_before) {
        // None was in the ISR, so no new epoch yet: a broker ignores a StopReplica that is not
        // newer than the epoch it has (KIP-570), so make one. (Kafka sends it at the same
        // epoch, and the replica stays behind.)
        SAMSA_TRY(auto bumped, partitions_->bump_leader_epoch(tp));
        if (bumped) {
            batch_->add_leader_and_isr(staying, tp, *bumped, false);
        }
    }
    const auto epoch = context_.leadership[tp].leader_and_isr.leader_epoch;
    for (int32_t replica : removed) {
        batch_->add_stop_replica(replica, tp, /*delete_partition=*/true, epoch);
    }
    send_batch();
    return success();
}

result<void> KafkaController::update_replica_assignment_for_partition(
    const TopicPartition& tp, const ReplicaAssignment& assignment) {
    std::map<int32_t, zk::ReplicaAssignment> partitions;
    for (const auto& p : context_.partitions_of(tp.topic)) {
        auto full = p == tp ? assignment : context_.full_assignment(p);
        partitions[p.partition] = zk::ReplicaAssignment{
            to_broker_ids(full.replicas), to_broker_ids(full.adding), to_broker_ids(full.removing)};
    }
    std::optional<zk::Uuid> topic_id;
    if (auto id = context_.topic_ids.find(tp.topic); id != context_.topic_ids.end()) {
        topic_id = to_zk_uuid(id->second);
    }
    return zk_.set_topic_assignment(tp.topic, topic_id, partitions, context_.epoch_zk_version);
}

void KafkaController::remove_partition_from_reassigning_partitions(
    const TopicPartition& tp, const ReplicaAssignment& completed) {
    unwatch_reassignment_isr(tp);
    context_.partitions_being_reassigned.erase(tp);
    // Only an entry asking for exactly this outcome is done; a newer one must still run.
    maybe_remove_from_zk_reassignment(
        [&](const TopicPartition& p, const std::vector<int32_t>& target) {
            return p == tp && target == completed.replicas;
        });
}

// ---- Watches on the state znodes of partitions being moved ----------------------------------

void KafkaController::watch_reassignment_isr(const TopicPartition& tp) {
    const auto path = zk::TopicPartitionStateZNode::path(tp);
    if (reassignment_isr_watches_.insert(tp).second) {
        auto changed = [this, tp] {
            events_.put({"PartitionReassignmentIsrChange",
                         [this, tp] { process_partition_reassignment_isr_change(tp); }});
        };
        zk_client_.register_znode_change_handler(std::make_shared<DataWatch>(path, changed, [] {}),
                                                 zk::inline_executor());
    }
    (void)zk_.exists(path, /*watch=*/true);
}

void KafkaController::unwatch_reassignment_isr(const TopicPartition& tp) {
    if (reassignment_isr_watches_.erase(tp) > 0) {
        zk_client_.unregister_znode_change_handler(zk::TopicPartitionStateZNode::path(tp));
    }
}

void KafkaController::unwatch_all_reassignment_isrs() {
    for (const auto& tp : std::set<TopicPartition>(reassignment_isr_watches_)) {
        unwatch_reassignment_isr(tp);
    }
}

}  // namespace samsa::controller
