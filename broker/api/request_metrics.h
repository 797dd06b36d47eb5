#pragma once
// RequestMetrics: Kafka's per-API request metrics (kafka.network:type=RequestMetrics,
// name=RequestsPerSec|ErrorsPerSec|TotalTimeMs,request=<API>), rendered by the JMX exporter as
// kafka_network_requestmetrics_requests_total{request="Produce",version="7"},
// kafka_network_requestmetrics_errors_total{request=...,error="NOT_LEADER_OR_FOLLOWER"} and the
// summary kafka_network_requestmetrics_totaltimems{request=...}. Fetch is split into
// FetchConsumer and FetchFollower, as Kafka does.
//
// The series of an (API, version) or (API, error) are registered the first time they occur
// and their counters cached in fixed arrays indexed by api key: after that an update is one
// atomic load and a per-thread add, never a registry lookup.

#include "broker/protocol/api_key.h"
#include "broker/protocol/error_code.h"

#include <cstdint>

namespace samsa::api {

// Which of Fetch's two request names applies (Kafka's FetchConsumer / FetchFollower).
enum class FetchKind { consumer, follower };

// A request was handled in `micros` (from reading its header to its response being ready).
void record_request(protocol::ApiKey key, int16_t version, bool follower_fetch, uint64_t micros);
// A partition-level (or request-level) error in the response to `key`. NONE is not counted.
void record_error(protocol::ApiKey key, protocol::ErrorCode error, bool follower_fetch = false);

}  // namespace samsa::api
