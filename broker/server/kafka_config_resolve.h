#pragma once
// Internal to samsa::server_config: the settings that depend on other settings, derived and
// checked once every key has its value (from the sources or its default). parse_kafka_config
// calls them in the order below; each throws ConfigError naming the key at fault.

#include "broker/server/kafka_config.h"

#include <functional>
#include <set>
#include <string>

namespace samsa::server::detail {

// The keys given in the file or the overrides, as opposed to left at their default.
using Supplied = std::set<std::string, std::less<>>;

// log.dirs falls back to log.dir; log.roll(.jitter).ms beats .hours; log.retention.ms beats
// .minutes beats .hours (negative = -1, forever); log.flush.interval.ms defaults to
// log.flush.scheduler.interval.ms.
void resolve_log_settings(KafkaConfig& c, const Supplied& given);

// CPUs this process may run on (its affinity mask), at least 1.
int32_t available_cpus();

// num.network.threads, when not given, is the number of CPUs this process may run on: each
// network thread is an event loop that runs its connections' requests to completion, so one
// per CPU keeps every CPU busy without threads competing for one (Kafka's 3 assumed separate
// request-handler threads doing the work).
void resolve_thread_settings(KafkaConfig& c, const Supplied& given);

// Security protocols from listener.security.protocol.map, one port per listener;
// advertised.listeners defaults to listeners, names known listeners, never a meta-address.
void resolve_listeners(KafkaConfig& c, const Supplied& given);

// inter.broker.listener.name or security.inter.broker.protocol (not both), resolved to a name and a
// protocol; the listener must be advertised. Needs resolve_listeners first.
void resolve_inter_broker(KafkaConfig& c, const Supplied& given);

// zookeeper.connection.timeout.ms defaults to the session timeout; broker.id,
// replica.fetch.wait.max.ms and offsets.commit.required.acks are bounded by other keys.
void check_cross_key_rules(KafkaConfig& c, const Supplied& given);

}  // namespace samsa::server::detail
