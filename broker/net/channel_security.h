#pragma once
// ChannelSecurity: how the broker's own client channels (controller → broker, follower →
// leader, controlled shutdown) reach the inter-broker listener: its security protocol and, for
// SSL and SASL_SSL, the TLS client context (trusted CAs, the broker's certificate when the
// listener wants client certificates, endpoint identification).

#include "auth/security_protocol.h"

#include <memory>

namespace samsa::auth {
class SslFactory;
}  // namespace samsa::auth

namespace samsa::net {

struct ChannelSecurity {
    auth::SecurityProtocol protocol = auth::SecurityProtocol::plaintext;
    std::shared_ptr<auth::SslFactory> ssl;  // SSL and SASL_SSL
};

}  // namespace samsa::net
