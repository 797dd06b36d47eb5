// KafkaController: ISR change notifications from partition leaders, and controlled shutdown
// (the two ways a broker leaves or joins ISRs other than dying). See kafka_controller.h.

#include "broker/controller/controller_channel_manager.h"
#include "broker/controller/controller_request_batch.h"
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
#include <chrono>
#include <future>
#include <utility>

namespace samsa::controller {

namespace {

auto& logger() {
    static auto l = get_logger("controller");
    return *l;
}

}  // namespace

// ---- ISR changes written by partition leaders (Kafka's IsrChangeNotification event) -------

void KafkaController::process_isr_change_notification() {
    if (!channels_) {
        return;
    }
    auto sequence_numbers = zk_.get_all_isr_change_notifications(/*watch=*/true);
    if (!sequence_numbers) {
        logger().error("cannot list ISR change notifications: {}",
                       sequence_numbers.error().message());
        return;
    }
    if (sequence_numbers.value().empty()) {
        return;
    }
    auto partitions = zk_.get_partitions_from_isr_change_notifications(sequence_numbers.value());
    if (!partitions) {
        logger().error("cannot read ISR change notifications: {}", partitions.error().message());
    } else {
        std::vector<TopicPartition> refreshed;
        if (guarded("reading changed ISRs", [&]() -> result<void> {
                SAMSA_TRY(refreshed, update_leader_and_isr_cache(partitions.value()));
                return success();
            })) {
            logger().info("ISR changes of [{}] reported by their leaders",
                          fmt::join(refreshed, ","));
            send_update_metadata(context_.live_or_shutting_down_broker_ids(), refreshed);
            // The state watch of a partition being moved usually got there first.
            for (const auto& tp : refreshed) {
                if (channels_ && context_.partitions_being_reassigned.contains(tp)) {
                    maybe_complete_reassignment(tp);
                }
            }
        }
    }
    // Deleted whatever happened to them, as Kafka does: a partition's next change brings a new
    // notification, and a failover reads every state znode.
    if (channels_) {
        guarded("deleting ISR change notifications", [&] {
            return zk_.delete_isr_change_notifications(sequence_numbers.value(),
                                                       context_.epoch_zk_version);
        });
    }
}

result<std::vector<TopicPartition>> KafkaController::update_leader_and_isr_cache(
    const std::vector<TopicPartition>& partitions) {
    // Notifications may repeat a partition, or name one of a topic deleted since.
    std::set<TopicPartition> known;
    for (const auto& tp : partitions) {
        if (context_.assignments.contains(tp)) {
            known.insert(tp);
        }
    }
    SAMSA_TRY(auto states, zk_.get_partition_states({known.begin(), known.end()}));
    std::vector<TopicPartition> refreshed;
    for (const auto& [tp, state] : states) {
        context_.leadership[tp] = from_zk(state);
        refreshed.push_back(tp);
    }
    return refreshed;
}

// ---- Controlled shutdown (Kafka's ControlledShutdown event) --------------------------------

void KafkaController::controlled_shutdown(int32_t broker_id, int64_t broker_epoch,
                                          ControlledShutdownCallback done) {
    auto reply = std::make_shared<ReplyOnce<ControlledShutdownResult>>(
        std::move(done), ControlledShutdownResult{protocol::ErrorCode::not_controller, {}});
    events_.put({"ControlledShutdown", [this, broker_id, broker_epoch, reply] {
                     (*reply)(process_controlled_shutdown(broker_id, broker_epoch));
                 }});
}

// Kafka's doControlledShutdown (ZK-MODE §b "Event: controlled shutdown").
ControlledShutdownResult KafkaController::process_controlled_shutdown(int32_t broker_id,
                                                                      int64_t broker_epoch) {
    using protocol::ErrorCode;
    if (!channels_) {
        return {ErrorCode::not_controller, {}};
    }
    auto live = context_.live_brokers.find(broker_id);
    if (live == context_.live_brokers.end()) {
        logger().info("controlled shutdown of broker {} refused: it is not live", broker_id);
        return {ErrorCode::broker_not_available, {}};
    }
    // KIP-380: a request from an earlier registration of the broker is refused; -1 means the
    // sender does not know its epoch (versions 0 and 1).
    if (broker_epoch != -1 && broker_epoch < live->second.epoch) {
        logger().info("controlled shutdown of broker {} refused: epoch {} is older than {}",
                      broker_id, broker_epoch, live->second.epoch);
        return {ErrorCode::stale_broker_epoch, {}};
    }
    logger().info("shutting down broker {}", broker_id);
    context_.shutting_down_brokers.insert(broker_id);
    std::vector<TopicPartition> led;
    std::vector<TopicPartition> followed;
    for (const auto& tp : context_.partitions_on_broker(broker_id)) {
        auto l = context_.leadership.find(tp);
        if (context_.replicas(tp).size() <= 1 || l == context_.leadership.end() ||
            context_.topics_to_be_deleted.contains(tp.topic)) {
            continue;
        }
        (l->second.leader_and_isr.leader == broker_id ? led : followed).push_back(tp);
    }
    guarded("moving leadership for a controlled shutdown",
            [&] { return partitions_->on_controlled_shutdown(led); });
    if (channels_) {
        // Kafka's OfflineReplica transition of the broker's follower replicas.
        guarded("removing a shutting-down broker from ISRs",
                [&] { return partitions_->remove_replica_from_isr(broker_id, followed); });
    }
    if (!channels_) {
        return {ErrorCode::not_controller, {}};
    }
    // The follower stops fetching. The epoch is the one after the ISR shrink: a broker accepts
    // StopReplica only from a newer leader epoch than its own (KIP-570).
    for (const auto& tp : followed) {
        batch_->add_stop_replica(broker_id, tp, /*delete_partition=*/false,
                                 context_.leadership[tp].leader_and_isr.leader_epoch);
    }
    send_batch();
    auto remaining = context_.partition_leaders_on_broker(broker_id);
    logger().info(
        "controlled shutdown of broker {}: {} partitions moved, {} left from ISRs, "
        "still leading [{}]",
        broker_id, led.size() - remaining.size(), followed.size(), fmt::join(remaining, ","));
    return {ErrorCode::none, std::move(remaining)};
}

}  // namespace samsa::controller
