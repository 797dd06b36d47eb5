// SaslAuthenticate 0-2: one SASL token after a SaslHandshake v1 (Kafka's
// SaslServerAuthenticator.handleSaslToken). A failure is SASL_AUTHENTICATION_FAILED with a
// message, sent after connection.failed.authentication.delay.ms, then the connection closes.
// v1+ carries the KIP-368 session lifetime when connections.max.reauth.ms is set.

#include "auth/sasl_server_authenticator.h"
#include "broker/api/errors.h"
#include "broker/api/handlers/handlers.h"
#include "broker/api/sasl_session.h"
#include "broker/protocol/generated/sasl_authenticate_request.h"
#include "broker/protocol/generated/sasl_authenticate_response.h"

namespace samsa::api {

namespace {

protocol::ErrorCode to_kafka(auth::SaslError e) {
    switch (e) {
        case auth::SaslError::none:
            return protocol::ErrorCode::none;
        case auth::SaslError::unsupported_mechanism:
            return protocol::ErrorCode::unsupported_sasl_mechanism;
        case auth::SaslError::illegal_state:
            return protocol::ErrorCode::illegal_sasl_state;
        case auth::SaslError::authentication_failed:
            break;
    }
    return protocol::ErrorCode::sasl_authentication_failed;
}

}  // namespace

HandlerResult handle_sasl_authenticate(RequestContext& ctx, protocol::Reader& body) {
    protocol::SaslAuthenticateRequestData request;
    request.decode(body, ctx.api_version);
    protocol::SaslAuthenticateResponseData response;
    auth::SaslServerAuthenticator* sasl = sasl_authenticator(ctx.session, ctx.broker);
    if (sasl == nullptr) {
        response.error_code = code(protocol::ErrorCode::illegal_sasl_state);
        response.error_message = "SaslAuthenticate on a listener without SASL";
        co_return ctx.respond(response);  // as Kafka's KafkaApis: answered, not closed
    }
    const std::string_view token(reinterpret_cast<const char*>(request.auth_bytes.data()),
                                 request.auth_bytes.size());
    auto result = sasl->authenticate(token, std::chrono::steady_clock::now());
    if (result.error != auth::SaslError::none) {
        log_failed_authentication(ctx.session, result.message);
        response.error_code = code(to_kafka(result.error));
        response.error_message = std::move(result.message);
        co_await delay_failed_authentication(ctx.broker);
        auto out = ctx.respond(response);
        out.close_connection = true;
        co_return out;
    }
    if (result.complete) {
        complete_authentication(ctx.session);
        response.session_lifetime_ms = result.session_lifetime_ms;
    }
    response.auth_bytes.assign(result.token.begin(), result.token.end());
    co_return ctx.respond(response);
}

}  // namespace samsa::api
