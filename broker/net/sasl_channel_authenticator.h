#pragma once
// The BlockingChannel side of client SASL: a connect hook that runs SaslHandshake v1 +
// SaslAuthenticate with the given credential over the freshly connected channel. The
// exchange itself is auth::authenticate_sasl_client (auth/sasl_client_authenticator.h); this
// only encodes its two round trips as Kafka requests.

#include "auth/sasl_client_authenticator.h"
#include "broker/net/blocking_channel.h"

namespace samsa::net {

BlockingChannel::ConnectHook sasl_connect_hook(auth::SaslCredential credential);

}  // namespace samsa::net
