#pragma once
// The session layer of KafkaApis on SASL listeners: where requests meet the connection's
// SaslServerAuthenticator (auth/sasl_server_authenticator.h) before dispatch.
//
//  - sasl_gate(): before authentication only ApiVersions, SaslHandshake and SaslAuthenticate
//    pass; anything else closes the connection (after the failed-authentication delay), as
//    does a request on a connection whose KIP-368 session expired;
//  - handle_raw_sasl_token(): after a SaslHandshake v0 the next frames are bare SASL tokens
//    (int32 size + bytes, no request header), answered the same way (kafka-python's path);
//  - delay_failed_authentication(): a failed authentication is answered after
//    connection.failed.authentication.delay.ms on a timer, so the network thread keeps
//    serving its other connections meanwhile (Kafka's delayed close of failed channels).
//
// Runs on the connection's network thread, like every handler.

#include "broker/api/request_context.h"
#include "broker/net/request_handler.h"

#include <boost/asio/awaitable.hpp>

#include <optional>

namespace samsa::api {

// The session's authenticator, created on first use; nullptr on listeners without SASL.
auth::SaslServerAuthenticator* sasl_authenticator(auth::Session& session,
                                                  const BrokerServices& services);

// nullopt: dispatch the request. Otherwise the outcome to return instead (closing).
boost::asio::awaitable<std::optional<net::HandlerOutcome>> sasl_gate(const RequestContext& ctx);

boost::asio::awaitable<net::HandlerOutcome> handle_raw_sasl_token(auth::Session& session,
                                                                  const BrokerServices& services,
                                                                  const net::Frame& frame);

boost::asio::awaitable<void> delay_failed_authentication(const BrokerServices& services);

// Logs a failed authentication: client address, user, mechanism, reason (never the secret).
void log_failed_authentication(const auth::Session& session, std::string_view reason);

// After a successful exchange: the principal becomes User:<name>.
void complete_authentication(auth::Session& session);

}  // namespace samsa::api
