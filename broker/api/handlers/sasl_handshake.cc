// SaslHandshake 0-1: the client names its mechanism (Kafka's
// SaslServerAuthenticator.handleHandshakeRequest). UNSUPPORTED_SASL_MECHANISM, with the
// mechanisms the listener enables, ends the connection after the failed-authentication delay.
// On a listener without SASL it gets ILLEGAL_SASL_STATE, as Kafka's KafkaApis answers it.

#include "auth/sasl_server_authenticator.h"
#include "broker/api/errors.h"
#include "broker/api/handlers/handlers.h"
#include "broker/api/sasl_session.h"
#include "broker/protocol/generated/sasl_handshake_request.h"
#include "broker/protocol/generated/sasl_handshake_response.h"

namespace samsa::api {

HandlerResult handle_sasl_handshake(RequestContext& ctx, protocol::Reader& body) {
    protocol::SaslHandshakeRequestData request;
    request.decode(body, ctx.api_version);
    protocol::SaslHandshakeResponseData response;
    auth::SaslServerAuthenticator* sasl = sasl_authenticator(ctx.session, ctx.broker);
    if (sasl == nullptr) {
        response.error_code = code(protocol::ErrorCode::illegal_sasl_state);
        co_return ctx.respond(response);  // as Kafka's KafkaApis: answered, not closed
    }
    auto result = sasl->handshake(ctx.api_version, request.mechanism);
    response.mechanisms = std::move(result.mechanisms);
    if (result.error == auth::SaslError::none) {
        co_return ctx.respond(response);
    }
    response.error_code = code(protocol::ErrorCode::unsupported_sasl_mechanism);
    log_failed_authentication(ctx.session, "Unsupported SASL mechanism " + request.mechanism);
    co_await delay_failed_authentication(ctx.broker);
    auto out = ctx.respond(response);
    out.close_connection = true;
    co_return out;
}

}  // namespace samsa::api
