#include "broker/api/sasl_session.h"

#include "auth/sasl_server_authenticator.h"
#include "broker/api/errors.h"
#include "broker/metrics/metrics.h"
#include "broker/protocol/generated/sasl_authenticate_response.h"
#include "broker/protocol/generated/sasl_handshake_response.h"
#include "common/logging.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace samsa::api {

namespace {

auto& logger() {
    static auto l = get_logger("auth");
    return *l;
}

net::HandlerOutcome closing(std::optional<protocol::Writer> response = std::nullopt) {
    net::HandlerOutcome out;
    out.response = std::move(response);
    out.close_connection = true;
    return out;
}

// ILLEGAL_SASL_STATE in the response of the SASL request that came out of order.
net::HandlerOutcome illegal_state_response(const RequestContext& ctx) {
    net::HandlerOutcome out;
    if (ctx.api_key == protocol::ApiKey::sasl_handshake) {
        protocol::SaslHandshakeResponseData r;
        r.error_code = code(protocol::ErrorCode::illegal_sasl_state);
        out = ctx.respond(r);
    } else {
        protocol::SaslAuthenticateResponseData r;
        r.error_code = code(protocol::ErrorCode::illegal_sasl_state);
        r.error_message = "Unexpected SaslAuthenticate request in the current SASL state";
        out = ctx.respond(r);
    }
    out.close_connection = true;
    return out;
}

}  // namespace

auth::SaslServerAuthenticator* sasl_authenticator(auth::Session& session,
                                                  const BrokerServices& services) {
    if (!auth::uses_sasl(session.protocol) || services.sasl == nullptr) {
        return nullptr;
    }
    if (!session.sasl) {
        auto it = services.sasl->listeners.find(session.listener_name);
        auth::SaslListenerConfig config =
            it == services.sasl->listeners.end() ? auth::SaslListenerConfig{} : it->second;
        session.sasl = std::make_shared<auth::SaslServerAuthenticator>(std::move(config),
                                                                       *services.sasl->credentials);
    }
    return session.sasl.get();
}

boost::asio::awaitable<void> delay_failed_authentication(const BrokerServices& services) {
    const auto delay =
        services.sasl ? services.sasl->failed_authentication_delay : std::chrono::milliseconds(0);
    if (delay.count() <= 0) {
        co_return;
    }
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
    co_await timer.async_wait(boost::asio::use_awaitable);
}

// Kafka's socket-server-metrics authentication counters, per listener. A registry lookup per
// authentication, not per request: a SASL exchange costs far more.
void count_authentication(const auth::Session& session, bool success) {
    metrics::registry()
        .counter(success ? "kafka_server_socket_server_metrics_successful_authentication"
                         : "kafka_server_socket_server_metrics_failed_authentication",
                 success ? "Successful SASL authentications, per listener"
                         : "Failed SASL authentications, per listener",
                 {{"listener", session.listener_name}})
        .add();
}

void log_failed_authentication(const auth::Session& session, std::string_view reason) {
    count_authentication(session, false);
    const auth::SaslServerAuthenticator* a = session.sasl.get();
    logger().info("Failed authentication with /{} (user '{}', mechanism {}, listener {}): {}",
                  session.client_host, a ? a->username() : "", a ? a->mechanism() : "",
                  session.listener_name, reason);
}

void complete_authentication(auth::Session& session) {
    session.principal = auth::Principal{"User", session.sasl->username()};
    if (!session.authenticated) {
        logger().debug("authenticated {} from /{} with {}", session.principal.str(),
                       session.client_host, session.sasl->mechanism());
        count_authentication(session, true);
    }
    session.authenticated = true;
}

boost::asio::awaitable<std::optional<net::HandlerOutcome>> sasl_gate(const RequestContext& ctx) {
    auth::SaslServerAuthenticator* sasl = sasl_authenticator(ctx.session, ctx.broker);
    if (sasl == nullptr) {
        co_return std::nullopt;
    }
    using Gate = auth::SaslServerAuthenticator::Gate;
    switch (sasl->gate(static_cast<int16_t>(ctx.api_key), std::chrono::steady_clock::now())) {
        case Gate::allow:
            co_return std::nullopt;
        case Gate::expired:
            logger().info(
                "closing connection from /{} ({}): its SASL session expired without "
                "re-authentication (connections.max.reauth.ms)",
                ctx.session.client_host, ctx.session.principal.str());
            co_return closing();
        case Gate::illegal_state:
            log_failed_authentication(ctx.session, "SASL request out of order");
            co_await delay_failed_authentication(ctx.broker);
            co_return illegal_state_response(ctx);
        case Gate::close:
            break;
    }
    log_failed_authentication(ctx.session, std::string("Unexpected Kafka request of type ") +
                                               std::string(protocol::api_name(ctx.api_key)) +
                                               " during SASL authentication");
    co_await delay_failed_authentication(ctx.broker);
    co_return closing();
}

boost::asio::awaitable<net::HandlerOutcome> handle_raw_sasl_token(auth::Session& session,
                                                                  const BrokerServices& services,
                                                                  const net::Frame& frame) {
    auth::SaslServerAuthenticator& sasl = *session.sasl;
    const std::string_view token(reinterpret_cast<const char*>(frame->data()), frame->size());
    auto result = sasl.authenticate(token, std::chrono::steady_clock::now());
    if (result.error != auth::SaslError::none) {
        // Handshake v0 has no way to carry an error: the connection just closes.
        log_failed_authentication(session, result.message);
        co_await delay_failed_authentication(services);
        co_return closing();
    }
    if (result.complete) {
        complete_authentication(session);
    }
    net::HandlerOutcome out;
    protocol::Writer& w = out.response.emplace();
    w.write_int32(static_cast<int32_t>(result.token.size()));
    w.write_raw(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(result.token.data()),
                                         result.token.size()));
    co_return out;
}

}  // namespace samsa::api
