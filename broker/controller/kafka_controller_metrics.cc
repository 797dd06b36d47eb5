// KafkaController's gauges (Kafka's kafka.controller:type=KafkaController MBeans). The
// ControllerContext belongs to the event thread, so the counts are taken there after every
// event (as Kafka's ControllerContext updates its partition-state metrics as states change)
// and scrapes read the last ones. Only the active controller reports non-zero counts.

#include "broker/controller/kafka_controller.h"

namespace samsa::controller {

void KafkaController::register_metrics() {
    events_.set_after_each([this] { update_metrics(); });
    metrics_collector_ = metrics::registry().add_collector(
        [this](metrics::SampleSink& sink) { collect_metrics(sink); });
}

void KafkaController::update_metrics() {
    int64_t offline = 0;
    for (const auto& [tp, state] : context_.partition_states) {
        // Kafka leaves out the partitions of topics queued for deletion.
        if (state == PartitionState::offline && !context_.topics_to_be_deleted.contains(tp.topic)) {
            ++offline;
        }
    }
    int64_t imbalance = 0;
    for (const auto& [tp, replicas] : context_.assignments) {
        auto it = context_.leadership.find(tp);
        if (!replicas.empty() && it != context_.leadership.end() &&
            it->second.leader_and_isr.leader != replicas.front() &&
            !context_.topics_to_be_deleted.contains(tp.topic)) {
            ++imbalance;
        }
    }
    offline_partitions_.store(offline);
    global_partitions_.store(static_cast<int64_t>(context_.assignments.size()));
    global_topics_.store(static_cast<int64_t>(context_.all_topics.size()));
    preferred_replica_imbalance_.store(imbalance);
}

void KafkaController::collect_metrics(metrics::SampleSink& sink) const {
    const bool active = is_active();
    auto value = [active](const std::atomic<int64_t>& v) {
        return active ? static_cast<double>(v.load()) : 0.0;
    };
    using metrics::Type;
    sink.sample("kafka_controller_kafkacontroller_activecontrollercount",
                "1 on the active controller, 0 on the other brokers", Type::gauge, {},
                active ? 1 : 0);
    sink.sample("kafka_controller_kafkacontroller_offlinepartitionscount",
                "Partitions without a live leader (active controller only)", Type::gauge, {},
                value(offline_partitions_));
    sink.sample("kafka_controller_kafkacontroller_globalpartitioncount",
                "Partitions in the cluster (active controller only)", Type::gauge, {},
                value(global_partitions_));
    sink.sample("kafka_controller_kafkacontroller_globaltopiccount",
                "Topics in the cluster (active controller only)", Type::gauge, {},
                value(global_topics_));
    sink.sample("kafka_controller_kafkacontroller_preferredreplicaimbalancecount",
                "Partitions not led by their preferred replica (active controller only)",
                Type::gauge, {}, value(preferred_replica_imbalance_));
}

}  // namespace samsa::controller
