#include "broker/server/log_config_defaults.h"

#include <algorithm>

namespace samsa::server {

log::LogConfig log_config_defaults(const KafkaConfig& c) {
    log::LogConfig l;
    l.segment_bytes = c.log_segment_bytes;
    l.segment_ms = c.log_roll_ms;
    l.segment_jitter_ms = c.log_roll_jitter_ms;
    l.segment_index_bytes = c.log_index_size_max_bytes;
    l.retention_ms = c.log_retention_ms;
    l.retention_bytes = c.log_retention_bytes;
    l.max_message_bytes = c.message_max_bytes;
    l.message_timestamp_type = c.log_message_timestamp_type == "LogAppendTime"
                                   ? protocol::TimestampType::log_append_time
                                   : protocol::TimestampType::create_time;
    l.message_timestamp_difference_max_ms = c.log_message_timestamp_difference_max_ms;
    l.index_interval_bytes = c.log_index_interval_bytes;
    l.flush_messages = c.log_flush_interval_messages;
    l.flush_ms = c.log_flush_interval_ms;
    l.file_delete_delay_ms = c.log_segment_delete_delay_ms;
    auto has = [&](const char* p) {
        return std::find(c.log_cleanup_policy.begin(), c.log_cleanup_policy.end(), p) !=
               c.log_cleanup_policy.end();
    };
    l.cleanup_policy_delete = has("delete");
    l.cleanup_policy_compact = has("compact");
    l.delete_retention_ms = c.log_cleaner_delete_retention_ms;
    l.min_compaction_lag_ms = c.log_cleaner_min_compaction_lag_ms;
    l.max_compaction_lag_ms = c.log_cleaner_max_compaction_lag_ms;
    l.min_cleanable_dirty_ratio = c.log_cleaner_min_cleanable_ratio;
    l.compression_type = c.compression_type;
    l.min_insync_replicas = c.min_insync_replicas;
    l.unclean_leader_election_enable = c.unclean_leader_election_enable;
    return l;
}

}  // namespace samsa::server
