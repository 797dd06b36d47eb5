#include "broker/net/sasl_channel_authenticator.h"

#include "broker/protocol/generated/sasl_authenticate_request.h"
#include "broker/protocol/generated/sasl_authenticate_response.h"
#include "broker/protocol/generated/sasl_handshake_request.h"
#include "broker/protocol/generated/sasl_handshake_response.h"
#include "common/logging.h"

namespace samsa::net {

namespace {

auto& logger() {
    static auto l = get_logger("auth");
    return *l;
}

constexpr int16_t kHandshakeVersion = 1;     // tokens in SaslAuthenticate
constexpr int16_t kAuthenticateVersion = 1;  // KIP-368 session lifetime in the response

auth::SaslClientTransport transport_of(BlockingChannel& channel) {
    auth::SaslClientTransport t;
    t.handshake = [&channel](const std::string& mechanism) -> result<auth::SaslReply> {
        protocol::SaslHandshakeRequestData request;
        request.mechanism = mechanism;
        SAMSA_TRY(auto response,
                  channel.send<protocol::SaslHandshakeResponseData>(request, kHandshakeVersion));
        return auth::SaslReply{response.error_code, {}, {}};
    };
    t.authenticate = [&channel](const std::string& token) -> result<auth::SaslReply> {
        protocol::SaslAuthenticateRequestData request;
        request.auth_bytes.assign(token.begin(), token.end());
        SAMSA_TRY(auto response, channel.send<protocol::SaslAuthenticateResponseData>(
                                     request, kAuthenticateVersion));
        return auth::SaslReply{response.error_code, response.error_message.value_or(""),
                               std::string(response.auth_bytes.begin(), response.auth_bytes.end())};
    };
    return t;
}

}  // namespace

BlockingChannel::ConnectHook sasl_connect_hook(auth::SaslCredential credential) {
    return [credential = std::move(credential)](BlockingChannel& channel) -> result<void> {
        const std::string error = auth::authenticate_sasl_client(credential, transport_of(channel));
        if (!error.empty()) {
            logger().warn("SASL {} authentication to {}:{} as {} failed: {}", credential.mechanism,
                          channel.host(), channel.port(), credential.username, error);
            return std::make_error_code(std::errc::permission_denied);
        }
        logger().info("authenticated to {}:{} with {} as {}", channel.host(), channel.port(),
                      credential.mechanism, credential.username);
        return success();
    };
}

}  // namespace samsa::net
