#pragma once
// SslConfig: one listener's (or one client's) TLS settings, with Kafka's key names. The broker
// resolves them per listener (`listener.name.<l>.ssl.*` over `ssl.*`); the admin tool reads them
// from client.properties. Only PEM key material is served (Kafka 2.7+'s ssl.keystore.type=PEM):
// either files (ssl.keystore.location holding the private key and the certificate chain,
// ssl.truststore.location holding CA certificates) or the PEM text inline
// (ssl.keystore.key + ssl.keystore.certificate.chain, ssl.truststore.certificates).

#include <chrono>
#include <string>
#include <vector>

namespace samsa::auth {

enum class SslClientAuth { none, requested, required };

struct SslConfig {
    std::string keystore_type = "PEM";
    std::string keystore_location;           // PEM file: private key and certificate chain
    std::string keystore_key;                // inline PEM private key (secret)
    std::string keystore_certificate_chain;  // inline PEM certificates
    std::string key_password;                // decrypts an encrypted private key (secret)
    std::string truststore_type = "PEM";
    std::string truststore_location;      // PEM file of trusted CA certificates
    std::string truststore_certificates;  // inline PEM CA certificates
    std::vector<std::string> enabled_protocols{"TLSv1.2", "TLSv1.3"};
    std::vector<std::string> cipher_suites;  // empty: OpenSSL's defaults
    SslClientAuth client_auth = SslClientAuth::none;
    // Clients: "https" checks that the server's certificate names the host dialled; "" does not.
    std::string endpoint_identification_algorithm = "https";
    std::string principal_mapping_rules = "DEFAULT";
    // A connection that has not finished its handshake by then is closed (Samsa's own key,
    // ssl.handshake.timeout.ms: Kafka only has connections.max.idle.ms, ten minutes).
    std::chrono::milliseconds handshake_timeout{10000};
};

}  // namespace samsa::auth
