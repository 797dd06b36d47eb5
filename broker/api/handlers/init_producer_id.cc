// InitProducerId (Kafka's handleInitProducerIdRequest and, for producers without a
// transactional id, TransactionCoordinator.handleInitProducerId): an idempotent producer gets
// a fresh producer id at epoch 0. Kafka "blindly" hands out a new id for every request
// without a transactional id, including KIP-360 epoch-bump requests (v3+ with an id and
// epoch), and so does this broker.
//
// Transactions are not supported yet: a transactional id gets COORDINATOR_NOT_AVAILABLE, as
// Kafka answers while the transaction state topic cannot be created, after Kafka's Write
// check on the transactional id.
//
// Authorization: IdempotentWrite on the cluster (Kafka 2.8), else CLUSTER_AUTHORIZATION_FAILED.

#include "broker/api/errors.h"
#include "broker/api/handlers/handlers.h"
#include "broker/net/run_on.h"
#include "broker/protocol/generated/init_producer_id_request.h"
#include "broker/protocol/generated/init_producer_id_response.h"
#include "broker/txn/producer_id_manager.h"
#include "common/logging.h"

namespace samsa::api {

namespace {

using protocol::ErrorCode;

auto& logger() {
    static auto l = get_logger("api");
    return *l;
}

ErrorCode authorization_error(const RequestContext& ctx,
                              const protocol::InitProducerIdRequestData& request) {
    if (request.transactional_id) {
        return ctx.authorize(auth::AclOperation::write, auth::ResourceType::transactional_id,
                             *request.transactional_id)
                   ? ErrorCode::none
                   : ErrorCode::transactional_id_authorization_failed;
    }
    return ctx.authorize(auth::AclOperation::idempotent_write, auth::ResourceType::cluster,
                         "kafka-cluster")
               ? ErrorCode::none
               : ErrorCode::cluster_authorization_failed;
}

}  // namespace

HandlerResult handle_init_producer_id(RequestContext& ctx, protocol::Reader& body) {
    protocol::InitProducerIdRequestData request;
    request.decode(body, ctx.api_version);
    protocol::InitProducerIdResponseData response;
    response.producer_id = -1;
    response.producer_epoch = -1;
    ErrorCode error = authorization_error(ctx, request);
    if (error == ErrorCode::none && request.transactional_id) {
        error = ErrorCode::coordinator_not_available;  // no transaction coordinator yet
    }
    if (error != ErrorCode::none) {
        response.error_code = code(error);
        co_return ctx.respond(response);
    }
    auto* ids = ctx.broker.producer_ids;
    auto id = co_await net::run_on(ctx.broker.io_pool, [ids] { return ids->generate(); });
    if (!id) {
        logger().warn("InitProducerId from {}: no producer id available: {}",
                      ctx.session.client_host, id.error().message());
        response.error_code = code(ErrorCode::coordinator_not_available);
        co_return ctx.respond(response);
    }
    response.producer_id = id.value();
    response.producer_epoch = 0;
    co_return ctx.respond(response);
}

}  // namespace samsa::api
