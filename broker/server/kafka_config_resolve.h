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

// num.network.threads, when not given, is half the CPUs this process may run on (at least
// one). Each network thread is an event loop that runs its connections' requests to
// completion, so it keeps a CPU busy by itself; the other half is left to what each request
// also costs outside it: the kernel's TCP and page-cache work, the I/O pool, writeback, and
// clients on the same host. Measured on 2 CPUs (bench/RESULTS.md): one network thread used
// about 20% less CPU per small produce request than two and served as many or more. Kafka's
// default of 3 assumed separate request-handler threads did the work.
void resolve_thread_settings(KafkaConfig& c, const Supplied& given);

// Security protocols from listener.security.protocol.map, one port per listener;
// advertised.listeners defaults to listeners, names known listeners, never a meta-address.
void resolve_listeners(KafkaConfig& c, const Supplied& given);

// inter.broker.listener.name or security.inter.broker.protocol (not both), resolved to a name and a
// protocol; the listener must be advertised. Needs resolve_listeners first.
void resolve_inter_broker(KafkaConfig& c, const Supplied& given);

// SASL listeners (kafka_config_sasl.cc): each needs enabled mechanisms (whether this build
// supports them is checked when the listener starts, as Kafka checks GSSAPI's Kerberos
// configuration there); a SASL inter-broker listener needs
// sasl.mechanism.inter.broker.protocol among them and a JAAS username/password for it.
// Needs resolve_inter_broker first.
void resolve_sasl(KafkaConfig& c, const Supplied& given);

// zookeeper.connection.timeout.ms defaults to the session timeout; broker.id,
// replica.fetch.wait.max.ms and offsets.commit.required.acks are bounded by other keys.
void check_cross_key_rules(KafkaConfig& c, const Supplied& given);

}  // namespace samsa::server::detail
