#include "broker/api/kafka_apis.h"

#include "auth/sasl_server_authenticator.h"
#include "broker/api/handlers/admin_handlers.h"
#include "broker/api/handlers/handlers.h"
#include "broker/api/request_metrics.h"
#include "broker/api/sasl_session.h"
#include "broker/metrics/metrics.h"
#include "broker/protocol/generated/api_table.h"
#include "broker/protocol/generated/request_header.h"
#include "common/logging.h"

#include <algorithm>
#include <array>
#include <chrono>

namespace samsa::api {

namespace {

using protocol::ApiKey;

auto& logger() {
    static auto l = get_logger("api");
    return *l;
}

// Advertised ranges: MinVersion 0 everywhere, as Kafka 2.8 does (librdkafka enables features
// only when advertised ranges overlap fixed ones); the maxima keep kafka-python's release
// inference at 2.3+ (Produce 7; Fetch 12 as Kafka 2.8, where 11 is what it tests). See
// ZK-MODE.md §f.
constexpr std::array kHandlers{
    ApiHandler{ApiKey::produce, 0, 7, handle_produce},
    ApiHandler{ApiKey::fetch, 0, 12, handle_fetch},
    ApiHandler{ApiKey::list_offsets, 0, 5, handle_list_offsets},
    ApiHandler{ApiKey::metadata, 0, 6, handle_metadata},
    ApiHandler{ApiKey::leader_and_isr, 0, 5, handle_leader_and_isr},
    ApiHandler{ApiKey::stop_replica, 0, 3, handle_stop_replica},
    ApiHandler{ApiKey::update_metadata, 0, 7, handle_update_metadata},
    ApiHandler{ApiKey::controlled_shutdown, 0, 3, handle_controlled_shutdown},
    // Groups: advertised from 0 (librdkafka's group consumer needs FindCoordinator 0,
    // OffsetCommit 1-2, OffsetFetch 1 and Join/Sync/Heartbeat/Leave 0 in range); the handlers
    // answer UNSUPPORTED_VERSION below what they implement. Maxima stop before flexible
    // versions, except OffsetFetch 6-7 and ListGroups 3-4, which are implemented.
    ApiHandler{ApiKey::offset_commit, 0, 7, handle_offset_commit},
    ApiHandler{ApiKey::offset_fetch, 0, 7, handle_offset_fetch},
    ApiHandler{ApiKey::find_coordinator, 0, 2, handle_find_coordinator},
    // 0-4 as Kafka 2.8; librdkafka enables idempotence only if v0 is advertised.
    ApiHandler{ApiKey::init_producer_id, 0, 4, handle_init_producer_id},
    ApiHandler{ApiKey::join_group, 0, 5, handle_join_group},
    ApiHandler{ApiKey::heartbeat, 0, 3, handle_heartbeat},
    ApiHandler{ApiKey::leave_group, 0, 3, handle_leave_group},
    ApiHandler{ApiKey::sync_group, 0, 3, handle_sync_group},
    ApiHandler{ApiKey::describe_groups, 0, 4, handle_describe_groups},
    ApiHandler{ApiKey::list_groups, 0, 4, handle_list_groups},
    ApiHandler{ApiKey::delete_groups, 0, 1, handle_delete_groups},
    ApiHandler{ApiKey::offset_delete, 0, 0, handle_offset_delete},
    ApiHandler{ApiKey::sasl_handshake, 0, 1, handle_sasl_handshake},
    ApiHandler{ApiKey::api_versions, 0, 3, handle_api_versions},
    ApiHandler{ApiKey::create_topics, 0, 4, handle_create_topics},
    ApiHandler{ApiKey::delete_topics, 0, 3, handle_delete_topics},
    ApiHandler{ApiKey::create_partitions, 0, 3, handle_create_partitions},
    ApiHandler{ApiKey::offset_for_leader_epoch, 0, 4, handle_offset_for_leader_epoch},
    ApiHandler{ApiKey::sasl_authenticate, 0, 2, handle_sasl_authenticate},
    ApiHandler{ApiKey::elect_leaders, 0, 2, handle_elect_leaders},
    ApiHandler{ApiKey::alter_partition_reassignments, 0, 0, handle_alter_partition_reassignments},
    ApiHandler{ApiKey::list_partition_reassignments, 0, 0, handle_list_partition_reassignments},
    // 0-1 only: DescribeAcls 2 would make kafka-python infer release 2.5 (ZK-MODE §f).
    ApiHandler{ApiKey::describe_acls, 0, 1, handle_describe_acls},
    ApiHandler{ApiKey::create_acls, 0, 1, handle_create_acls},
    ApiHandler{ApiKey::delete_acls, 0, 1, handle_delete_acls},
    ApiHandler{ApiKey::describe_user_scram_credentials, 0, 0,
               handle_describe_user_scram_credentials},
    ApiHandler{ApiKey::alter_user_scram_credentials, 0, 0, handle_alter_user_scram_credentials},
    // The admin APIs at Kafka 2.8's ranges (none is in kafka-python's release inference).
    ApiHandler{ApiKey::describe_configs, 0, 4, handle_describe_configs},
    ApiHandler{ApiKey::alter_configs, 0, 2, handle_alter_configs},
    ApiHandler{ApiKey::incremental_alter_configs, 0, 1, handle_incremental_alter_configs},
    ApiHandler{ApiKey::describe_log_dirs, 0, 2, handle_describe_log_dirs},
    ApiHandler{ApiKey::delete_records, 0, 2, handle_delete_records},
    ApiHandler{ApiKey::describe_cluster, 0, 0, handle_describe_cluster},
};

const ApiHandler* find_handler(int16_t key) {
    for (const auto& h : kHandlers) {
        if (static_cast<int16_t>(h.key) == key) {
            return &h;
        }
    }
    return nullptr;
}

int16_t load_int16(const uint8_t* p) {
    return static_cast<int16_t>((p[0] << 8) | p[1]);
}

int32_t load_int32(const uint8_t* p) {
    return static_cast<int32_t>((uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
                                (uint32_t{p[2]} << 8) | p[3]);
}

net::HandlerOutcome close_connection() {
    net::HandlerOutcome out;
    out.close_connection = true;
    return out;
}

}  // namespace

std::span<const ApiHandler> supported_apis() {
    return kHandlers;
}

boost::asio::awaitable<net::HandlerOutcome> KafkaApis::handle(auth::Session& session,
                                                              net::Frame frame) {
    // No clock reads while metrics are off.
    const auto started = metrics::enabled() ? std::chrono::steady_clock::now()
                                            : std::chrono::steady_clock::time_point{};
    // After a SaslHandshake v0 the client sends bare SASL tokens, not requests.
    if (auto* sasl = sasl_authenticator(session, services_); sasl && sasl->expects_raw_token()) {
        co_return co_await handle_raw_sasl_token(session, services_, frame);
    }
    // The fixed prefix of every header version: api key, api version, correlation id.
    if (frame->size() < 8) {
        logger().warn("closing connection from {}: {}-byte request is too short for a header",
                      session.client_host, frame->size());
        co_return close_connection();
    }
    const int16_t key = load_int16(frame->data());
    const int16_t version = load_int16(frame->data() + 2);
    const int32_t correlation_id = load_int32(frame->data() + 4);
    const protocol::ApiInfo* info = protocol::find_api(key);
    const ApiHandler* handler = find_handler(key);
    if (info == nullptr || handler == nullptr) {
        logger().warn("closing connection from {}: unknown or unsupported API key {}",
                      session.client_host, key);
        co_return close_connection();
    }

    RequestContext ctx{
        static_cast<ApiKey>(key), version, correlation_id, std::nullopt, session, services_, frame};

    // The session layer: until SASL has authenticated the connection, only the requests that
    // lead to authentication may pass (sasl_session.h).
    if (auto refused = co_await sasl_gate(ctx)) {
        co_return std::move(*refused);
    }
    if (!session.authenticated && key != static_cast<int16_t>(ApiKey::api_versions) &&
        key != static_cast<int16_t>(ApiKey::sasl_handshake) &&
        key != static_cast<int16_t>(ApiKey::sasl_authenticate)) {
        logger().warn("closing connection from {}: {} before authentication", session.client_host,
                      protocol::api_name(static_cast<ApiKey>(key)));
        co_return close_connection();
    }

    if (key == static_cast<int16_t>(ApiKey::api_versions) && version > handler->max_version) {
        co_return unsupported_api_versions_response(ctx);
    }
    // Kafka's SocketServer closes the connection on a version it does not serve. Serving one
    // we do not advertise would answer with fields the handler never set, however well the
    // generated codec decodes it.
    if (version < handler->min_version || version > handler->max_version) {
        logger().warn("closing connection from {}: {} v{} is outside the served range {}-{}",
                      session.client_host, protocol::api_name(ctx.api_key), version,
                      handler->min_version, handler->max_version);
        co_return close_connection();
    }

    try {
        protocol::Reader reader(frame->span(), frame);
        protocol::RequestHeaderData header;
        header.decode(reader, protocol::request_header_version(ctx.api_key, version));
        ctx.client_id = std::move(header.client_id);
        auto outcome = co_await handler->handle(ctx, reader);
        if (metrics::enabled()) {
            const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::steady_clock::now() - started);
            record_request(ctx.api_key, version, ctx.follower_fetch,
                           static_cast<uint64_t>(elapsed.count()));
        }
        co_return outcome;
    } catch (const protocol::DecodeError& e) {
        logger().warn("closing connection from {}: malformed {} v{} request: {}",
                      session.client_host, protocol::api_name(ctx.api_key), version, e.what());
    } catch (const std::exception& e) {
        // A bug, not bad input; this connection goes, the broker and its other clients stay.
        logger().error("closing connection from {}: {} v{} failed: {}", session.client_host,
                       protocol::api_name(ctx.api_key), version, e.what());
    }
    co_return close_connection();
}

}  // namespace samsa::api
