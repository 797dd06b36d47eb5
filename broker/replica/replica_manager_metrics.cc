// ReplicaManager's gauges (Kafka's kafka.server:type=ReplicaManager MBeans), computed when
// scraped from the partitions this broker hosts.

#include "broker/replica/replica_manager.h"

namespace samsa::replica {

void ReplicaManager::collect_metrics(metrics::SampleSink& sink) const {
    size_t leaders = 0;
    size_t under_replicated = 0;
    const auto partitions = all_partitions();
    for (const auto& p : partitions) {
        leaders += p->is_leader() ? 1 : 0;
        under_replicated += p->is_under_replicated() ? 1 : 0;
    }
    using metrics::Type;
    sink.sample("kafka_server_replicamanager_partitioncount",
                "Partitions hosted by this broker (leader or follower)", Type::gauge, {},
                static_cast<double>(partitions.size()));
    sink.sample("kafka_server_replicamanager_leadercount", "Partitions this broker leads",
                Type::gauge, {}, static_cast<double>(leaders));
    sink.sample("kafka_server_replicamanager_underreplicatedpartitions",
                "Partitions led here whose ISR is smaller than their replica set", Type::gauge, {},
                static_cast<double>(under_replicated));
    // Kafka counts the replicas on failed log directories (KIP-112). Samsa does not take log
    // directories offline: a replica whose log cannot be created is answered
    // KAFKA_STORAGE_ERROR and not hosted, so there is never one to count.
    sink.sample("kafka_server_replicamanager_offlinereplicacount",
                "Replicas on failed log directories", Type::gauge, {}, 0);
}

}  // namespace samsa::replica
