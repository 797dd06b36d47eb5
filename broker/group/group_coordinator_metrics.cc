// Consumer group lag as the coordinator knows it, under kafka_exporter's names (Kafka itself
// has no such MBean; operators chart kafka_exporter's): for each group this broker
// coordinates and each partition it has a committed offset for, the committed offset and the
// partition's high watermark minus it. The high watermark is this broker's own (leader or
// follower replica: a follower's may trail the leader's by a fetch); partitions not hosted
// here are left out rather than asked of another broker during a scrape.

#include "broker/group/group_coordinator.h"

#include <algorithm>

namespace samsa::group {

void GroupCoordinator::enable_lag_metrics(HighWatermarkFn hw) {
    high_watermark_ = std::move(hw);
    lag_collector_ =
        metrics::registry().add_collector([this](metrics::SampleSink& sink) { collect_lag(sink); });
}

void GroupCoordinator::collect_lag(metrics::SampleSink& sink) const {
    if (!active_ || !high_watermark_) {
        return;
    }
    for (const auto& group : manager_.current_groups()) {
        std::string group_id;
        std::map<TopicPartition, OffsetAndMetadata> offsets;
        {
            std::lock_guard lock(group->lock);
            if (group->is(GroupState::dead)) {
                continue;
            }
            group_id = group->group_id();
            offsets = group->offsets;
        }
        for (const auto& [tp, committed] : offsets) {
            const auto hw = high_watermark_(tp);
            if (!hw || committed.offset < 0) {
                continue;
            }
            const metrics::Labels labels{{"consumergroup", group_id},
                                         {"topic", tp.topic},
                                         {"partition", std::to_string(tp.partition)}};
            sink.sample("kafka_consumergroup_current_offset",
                        "Committed offset of a consumer group in a partition", metrics::Type::gauge,
                        labels, static_cast<double>(committed.offset));
            // A follower's high watermark may briefly trail an offset committed against the
            // leader's: no negative lag.
            sink.sample("kafka_consumergroup_lag",
                        "High watermark minus the group's committed offset", metrics::Type::gauge,
                        labels, static_cast<double>(std::max<int64_t>(0, *hw - committed.offset)));
        }
    }
}

}  // namespace samsa::group
