#include "auth/sasl_server_authenticator.h"

#include <algorithm>

namespace samsa::auth {

SaslServerAuthenticator::SaslServerAuthenticator(SaslListenerConfig config,
                                                 const CredentialCache& credentials)
    : config_(std::move(config)), credentials_(credentials) {}

SaslServerAuthenticator::Gate SaslServerAuthenticator::gate(int16_t api_key,
                                                            Clock::time_point now) {
    const bool sasl_request = api_key == kSaslHandshakeKey || api_key == kSaslAuthenticateKey;
    switch (state_) {
        case State::initial:
            if (api_key == kApiVersionsKey) {
                state_ = State::handshake;  // ApiVersions only once before the handshake
                return Gate::allow;
            }
            return api_key == kSaslHandshakeKey ? Gate::allow
                   : sasl_request               ? Gate::illegal_state
                                                : Gate::close;
        case State::handshake:
            return api_key == kSaslHandshakeKey ? Gate::allow
                   : sasl_request               ? Gate::illegal_state
                                                : Gate::close;
        case State::authenticate:
            return api_key == kSaslAuthenticateKey ? Gate::allow
                   : sasl_request                  ? Gate::illegal_state
                                                   : Gate::close;
        case State::complete:
            if (api_key == kSaslHandshakeKey && config_.max_reauth.count() > 0) {
                return Gate::allow;  // KIP-368 re-authentication starts
            }
            if (session_expiry_ && now >= *session_expiry_) {
                return Gate::expired;
            }
            return api_key == kSaslAuthenticateKey ? Gate::illegal_state : Gate::allow;
        case State::failed:
            break;
    }
    return Gate::close;
}

SaslServerAuthenticator::HandshakeResult SaslServerAuthenticator::handshake(
    int16_t version, std::string_view mechanism) {
    HandshakeResult result;
    result.mechanisms = config_.enabled_mechanisms;
    const bool enabled =
        std::find(config_.enabled_mechanisms.begin(), config_.enabled_mechanisms.end(),
                  mechanism) != config_.enabled_mechanisms.end();
    // Re-authentication keeps the mechanism (KIP-368).
    const bool same = !authenticated_once_ || mechanism == mechanism_;
    if (!enabled || !same || !is_supported_mechanism(mechanism)) {
        state_ = State::failed;
        result.error = SaslError::unsupported_mechanism;
        return result;
    }
    reauthenticating_ = authenticated_once_;
    mechanism_ = std::string(mechanism);
    server_ = create_sasl_server(mechanism, credentials_);
    raw_tokens_ = version == 0;
    state_ = State::authenticate;
    return result;
}

SaslServerAuthenticator::AuthenticateResult SaslServerAuthenticator::fail(SaslError error,
                                                                          std::string message) {
    state_ = State::failed;
    AuthenticateResult result;
    result.error = error;
    result.message = std::move(message);
    return result;
}

SaslServerAuthenticator::AuthenticateResult SaslServerAuthenticator::authenticate(
    std::string_view token, Clock::time_point now) {
    if (state_ != State::authenticate || !server_) {
        return fail(SaslError::illegal_state, "SaslAuthenticate request outside of an exchange");
    }
    SaslStep step = server_->evaluate_response(token);
    if (step.outcome == SaslStep::Outcome::failed) {
        return fail(SaslError::authentication_failed, std::move(step.error));
    }
    AuthenticateResult result;
    result.token = std::move(step.token);
    if (step.outcome == SaslStep::Outcome::challenge) {
        return result;
    }
    if (reauthenticating_ && server_->username() != username_) {
        return fail(SaslError::authentication_failed,
                    "Cannot change principals during re-authentication");
    }
    username_ = server_->username();
    server_.reset();
    state_ = State::complete;
    authenticated_once_ = true;
    reauthenticating_ = false;
    result.complete = true;
    if (config_.max_reauth.count() > 0) {
        session_expiry_ = now + config_.max_reauth;
        result.session_lifetime_ms = config_.max_reauth.count();
    }
    return result;
}

std::string SaslServerAuthenticator::username() const {
    if (server_ && !server_->username().empty()) {
        return server_->username();
    }
    return username_;
}

}  // namespace samsa::auth
