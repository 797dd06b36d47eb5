#pragma once
// How the console and perf tools turn their flags into a Producer or Consumer configuration,
// as Kafka's tools do: the properties file (--producer.config / --consumer.config, which may
// also carry security.protocol, sasl.* and ssl.* for a secured cluster), then the k=v
// overrides (--producer-property, --producer-props, --consumer-property), then the tool's own
// flags. Only the client settings these clients use are read; others are accepted and ignored,
// as Kafka ignores unknown configs with a warning.

#include "tools/admin/client_consumer.h"
#include "tools/admin/client_producer.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace samsa::client {

using PropertyMap = std::map<std::string, std::string>;

// The file's properties (none when `file` is empty), then `overrides`. Throws
// admin::ToolError when the file cannot be read.
PropertyMap merge_properties(const std::string& file,
                             const std::vector<std::pair<std::string, std::string>>& overrides);

// The connection settings: `bootstrap` (or bootstrap.servers from `props` when empty), the
// security settings of `file` and client.id / request.timeout.ms from `props`. Throws
// admin::ToolError on a missing or malformed server list or an unusable file.
admin::AdminClientConfig connection_config(const std::string& bootstrap, const std::string& file,
                                           const PropertyMap& props,
                                           const std::string& default_client_id);

// acks, compression.type, batch.size, linger.ms, retries, retry.backoff.ms,
// request.timeout.ms, max.block.ms. Throws admin::ToolError on an invalid value.
ProducerConfig producer_config(admin::AdminClientConfig connection, const PropertyMap& props);

// group.id, enable.auto.commit, auto.commit.interval.ms, auto.offset.reset,
// max.partition.fetch.bytes, fetch.max.bytes, fetch.max.wait.ms, isolation.level,
// session.timeout.ms, heartbeat.interval.ms, max.poll.interval.ms.
ConsumerConfig consumer_config(admin::AdminClientConfig connection, const PropertyMap& props);

}  // namespace samsa::client
