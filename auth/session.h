#pragma once
// Session: who is on the other end of a connection. The connection owns one; the request
// context borrows it. Authentication (SASL, TLS client certificates: later issues) fills in the
// principal before any request other than ApiVersions/SaslHandshake/SaslAuthenticate reaches
// dispatch; on PLAINTEXT and SSL-without-client-auth listeners the principal is ANONYMOUS.

#include "auth/security_protocol.h"

#include <memory>
#include <string>

namespace samsa::auth {

// Kafka's KafkaPrincipal: "User:alice".
struct Principal {
    std::string type = "User";
    std::string name = "ANONYMOUS";

    std::string str() const { return type + ":" + name; }
    friend bool operator==(const Principal&, const Principal&) = default;
};

class SaslServerAuthenticator;

struct Session {
    Principal principal;
    std::string client_host;  // peer IP address, for ACL host matching
    std::string listener_name;
    SecurityProtocol protocol = SecurityProtocol::plaintext;
    // False until SASL completes on SASL listeners; always true on the others.
    bool authenticated = true;
    // The connection's SASL state machine on SASL listeners, created at its first request.
    std::shared_ptr<SaslServerAuthenticator> sasl;
};

}  // namespace samsa::auth
