#pragma once
// Small pieces the group API handlers share.

#include "broker/api/request_context.h"
#include "broker/protocol/error_code.h"

#include <cstdint>
#include <string>

namespace samsa::api {

// Versions a group handler implements; others are answered UNSUPPORTED_VERSION (ZK-MODE §f:
// we advertise from 0 for librdkafka's feature checks, and implement from where clients start).
inline bool implemented(const RequestContext& ctx, int16_t lowest, int16_t highest) {
    return ctx.api_version >= lowest && ctx.api_version <= highest;
}

// The checks every request about one group passes first, in Kafka's order: a version we
// implement, then `op` on the group. Returns the error to answer with, or none.
inline protocol::ErrorCode group_request_gate(const RequestContext& ctx, int16_t lowest,
                                              int16_t highest, auth::AclOperation op,
                                              const std::string& group_id) {
    if (!implemented(ctx, lowest, highest)) {
        return protocol::ErrorCode::unsupported_version;
    }
    if (!ctx.authorize(op, auth::ResourceType::group, group_id)) {
        return protocol::ErrorCode::group_authorization_failed;
    }
    return protocol::ErrorCode::none;
}

// Kafka records a member's host as the InetAddress's toString: "/127.0.0.1".
inline std::string member_client_host(const RequestContext& ctx) {
    return "/" + ctx.session.client_host;
}

}  // namespace samsa::api
