#pragma once
// SslFactory: builds the OpenSSL context a TLS listener (or a TLS client) uses, from an
// SslConfig, and rebuilds it when the key or certificate files change (Kafka's SslFactory).
//
// Certificates are replaced without a restart: context() looks at the files' modification
// times at most once a second and, when one changed, builds a new context. New connections get
// the new context; connections already open keep the one they were made with (the context is
// reference-counted). A file that cannot be read or a key that does not match its certificate
// keeps the old context in service and is logged: a half-copied certificate never takes a
// listener down.
//
// The configuration itself may change too (dynamic listener configs: AlterConfigs sets
// listener.name.<l>.ssl.keystore.location on one broker): reconfigure() swaps it in after
// validate_reconfiguration() accepted it, as Kafka's SslFactory.reconfigure does.
//
// OpenSSL types are forward-declared: this header is included by the listener set-up and the
// admin tool, which need not see OpenSSL or Asio.

#include "auth/ssl_config.h"

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct ssl_ctx_st;  // OpenSSL's SSL_CTX
struct ssl_st;      // OpenSSL's SSL

namespace samsa::auth {

// The configuration cannot give a working context (start-up error: names the key or file).
class SslConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

enum class SslMode { server, client };

using SslContextPtr = std::shared_ptr<ssl_ctx_st>;

// Builds a context from `config`; throws SslConfigError.
SslContextPtr build_ssl_context(const SslConfig& config, SslMode mode);

// For a client in `mode` client: makes `ssl` check that the server's certificate names `host`
// when endpoint identification is on (ssl.endpoint.identification.algorithm=https), and sends
// it as SNI.
void prepare_client_ssl(ssl_st* ssl, const SslConfig& config, const std::string& host);

class SslFactory {
  public:
    // Builds the first context at once; throws SslConfigError, so a bad configuration stops
    // start-up with a clear message.
    SslFactory(SslConfig config, SslMode mode);

    // The context for a new connection. Thread-safe.
    SslContextPtr context();

    // Kafka's validateReconfiguration: why `config` cannot replace the current configuration
    // (its key material does not load, or its certificate names another subject or other
    // alternative names than the one served now), or nullopt. Thread-safe.
    std::optional<std::string> validate_reconfiguration(const SslConfig& config) const;
    // New connections get `config`'s context from now on; connections already open keep
    // theirs. Throws SslConfigError (and keeps the current one) when `config` is refused.
    void reconfigure(SslConfig config);

    // The current configuration (a copy: reconfigure() may replace it). Thread-safe.
    SslConfig config() const;
    // Not reconfigurable, so read without a lock on each new connection.
    std::chrono::milliseconds handshake_timeout() const { return handshake_timeout_; }

  private:
    std::vector<std::string> watched_files() const;
    std::vector<std::chrono::file_clock::time_point> modification_times() const;
    // The checked context for `config`; throws SslConfigError.
    SslContextPtr build_compatible(const SslConfig& config) const;

    SslConfig config_;
    const SslMode mode_;
    const std::chrono::milliseconds handshake_timeout_;
    mutable std::mutex mu_;
    SslContextPtr current_;
    std::vector<std::chrono::file_clock::time_point> mtimes_;
    std::chrono::steady_clock::time_point next_check_;
};

}  // namespace samsa::auth
