#pragma once
// Small pieces the group API handlers share.

#include <cstdint>
#include <string>

#include "broker/api/request_context.h"

namespace samsa::api {

// Versions a group handler implements; others are answered UNSUPPORTED_VERSION (ZK-MODE §f:
// we advertise from 0 for librdkafka's feature checks, and implement from where clients start).
inline bool implemented(const RequestContext& ctx, int16_t lowest, int16_t highest) {
    return ctx.api_version >= lowest && ctx.api_version <= highest;
}

// Kafka records a member's host as the InetAddress's toString: "/127.0.0.1".
inline std::string member_client_host(const RequestContext& ctx) {
    return "/" + ctx.session.client_host;
}

}  // namespace samsa::api
