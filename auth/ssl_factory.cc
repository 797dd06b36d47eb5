#include "auth/ssl_factory.h"

#include "common/logging.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace samsa::auth {

namespace {

auto& logger() {
    static auto l = get_logger("auth");
    return *l;
}

// The most recent OpenSSL error, for messages ("error:0480006C:PEM routines::no start line").
std::string openssl_error() {
    unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0) {
        return "unknown OpenSSL error";
    }
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

std::string read_file(const std::string& path, const char* key) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw SslConfigError(std::string("cannot read ") + key + " '" + path + "'");
    }
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

BioPtr memory_bio(const std::string& pem) {
    return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
}

std::vector<X509Ptr> read_certificates(const std::string& pem) {
    std::vector<X509Ptr> certs;
    auto bio = memory_bio(pem);
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        certs.emplace_back(cert, &X509_free);
    }
    ERR_clear_error();  // the loop ends on "no start line"
    return certs;
}

KeyPtr read_private_key(const std::string& pem, const std::string& password) {
    auto bio = memory_bio(pem);
    // With no callback, OpenSSL takes `u` as the passphrase of an encrypted key.
    void* pass = password.empty() ? nullptr : const_cast<char*>(password.c_str());
    return KeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, pass), &EVP_PKEY_free);
}

int protocol_version(const std::string& name) {
    if (name == "TLSv1.2")
        return TLS1_2_VERSION;
    if (name == "TLSv1.3")
        return TLS1_3_VERSION;
    if (name == "TLSv1.1")
        return TLS1_1_VERSION;
    if (name == "TLSv1")
        return TLS1_VERSION;
    throw SslConfigError("ssl.enabled.protocols: unknown protocol '" + name + "'");
}

void set_protocols(SSL_CTX* ctx, const std::vector<std::string>& enabled) {
    if (enabled.empty()) {
        throw SslConfigError("ssl.enabled.protocols is empty");
    }
    int lowest = TLS1_3_VERSION;
    int highest = TLS1_VERSION;
    for (const auto& name : enabled) {
        int v = protocol_version(name);
        lowest = std::min(lowest, v);
        highest = std::max(highest, v);
    }
    SSL_CTX_set_min_proto_version(ctx, lowest);
    SSL_CTX_set_max_proto_version(ctx, highest);
}

// ssl.cipher.suites takes the standard (IANA, Java) names. TLS 1.3 suites are configured
// apart from the older ones in OpenSSL, and the older ones by OpenSSL's own names.
void set_cipher_suites(SSL_CTX* ctx, const std::vector<std::string>& suites) {
    if (suites.empty()) {
        return;
    }
    static const std::set<std::string> tls13 = {
        "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256"};
    std::string v13;
    std::string v12;
    for (const auto& s : suites) {
        auto& list = tls13.contains(s) ? v13 : v12;
        std::string name = s;
        if (!tls13.contains(s)) {
            const char* openssl_name = OPENSSL_cipher_name(s.c_str());
            if (openssl_name == nullptr || std::string_view(openssl_name) == "(NONE)") {
                throw SslConfigError("ssl.cipher.suites: unknown cipher suite '" + s + "'");
            }
            name = openssl_name;
        }
        list += (list.empty() ? "" : ":") + name;
    }
    // An empty list for one family turns that family off, as a Java list without it does.
    if (SSL_CTX_set_ciphersuites(ctx, v13.c_str()) != 1 ||
        (!v12.empty() && SSL_CTX_set_cipher_list(ctx, v12.c_str()) != 1)) {
        throw SslConfigError("ssl.cipher.suites: " + openssl_error());
    }
    if (v12.empty()) {
        SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
    }
}

void load_keystore(SSL_CTX* ctx, const SslConfig& c) {
    std::string key_pem = c.keystore_key;
    std::string chain_pem = c.keystore_certificate_chain;
    if (!c.keystore_location.empty()) {
        key_pem = chain_pem = read_file(c.keystore_location, "ssl.keystore.location");
    }
    if (key_pem.empty() && chain_pem.empty()) {
        return;
    }
    auto key = read_private_key(key_pem, c.key_password);
    if (!key) {
        throw SslConfigError(
            "no usable private key in the keystore (ssl.keystore.location or "
            "ssl.keystore.key; an encrypted key needs ssl.key.password): " +
            openssl_error());
    }
    auto chain = read_certificates(chain_pem);
    if (chain.empty()) {
        throw SslConfigError(
            "no certificate in the keystore (ssl.keystore.location or "
            "ssl.keystore.certificate.chain)");
    }
    if (SSL_CTX_use_certificate(ctx, chain.front().get()) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
        throw SslConfigError("the keystore's private key does not match its certificate: " +
                             openssl_error());
    }
    for (size_t i = 1; i < chain.size(); ++i) {
        SSL_CTX_add1_chain_cert(ctx, chain[i].get());
    }
}

// Returns how many CA certificates were trusted.
size_t load_truststore(SSL_CTX* ctx, const SslConfig& c, SslMode mode) {
    std::string pem = c.truststore_certificates;
    if (!c.truststore_location.empty()) {
        pem = read_file(c.truststore_location, "ssl.truststore.location");
    }
    auto cas = read_certificates(pem);
    if (!pem.empty() && cas.empty()) {
        throw SslConfigError(
            "no certificate in the truststore (ssl.truststore.location or "
            "ssl.truststore.certificates)");
    }
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    for (auto& ca : cas) {
        X509_STORE_add_cert(store, ca.get());
        if (mode == SslMode::server) {
            // Tells clients which CAs a client certificate may come from.
            SSL_CTX_add_client_CA(ctx, ca.get());
        }
    }
    return cas.size();
}

// A keystore holding only its certificate (no intermediates) gets the rest of its chain from the
// trust store. Left to OpenSSL, that chain is built again on every handshake (X509_verify_cert,
// a signature check each time: about a tenth of the broker's CPU per SASL_SSL connection, seen
// with perf under bench/samsa_connstorm). Built once here, the same certificates go out. A chain
// that does not verify is still sent as far as it goes, as OpenSSL does per handshake.
void build_chain_once(SSL_CTX* ctx) {
    STACK_OF(X509)* chain = nullptr;
    if (SSL_CTX_get0_certificate(ctx) == nullptr || SSL_CTX_get0_chain_certs(ctx, &chain) != 1 ||
        chain != nullptr) {
        return;  // no certificate, or the keystore's own chain (never completed by OpenSSL)
    }
    SSL_CTX_build_cert_chain(ctx,
                             SSL_BUILD_CHAIN_FLAG_IGNORE_ERROR | SSL_BUILD_CHAIN_FLAG_CLEAR_ERROR);
}

void check_pem(const SslConfig& c) {
    if (c.keystore_type != "PEM") {
        throw SslConfigError("ssl.keystore.type=" + c.keystore_type +
                             " is not supported: use PEM (ssl.keystore.type=PEM)");
    }
    bool has_truststore = !c.truststore_location.empty() || !c.truststore_certificates.empty();
    if (has_truststore && c.truststore_type != "PEM") {
        throw SslConfigError("ssl.truststore.type=" + c.truststore_type +
                             " is not supported: use PEM (ssl.truststore.type=PEM)");
    }
}

// The RFC 2253 subject of `cert` and its subjectAltName extension as OpenSSL prints them.
std::pair<std::string, std::string> certificate_names(X509* cert) {
    BioPtr out(BIO_new(BIO_s_mem()), &BIO_free);
    X509_NAME_print_ex(out.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
    auto text = [&out] {
        char* data = nullptr;
        long n = BIO_get_mem_data(out.get(), &data);
        std::string s(data, static_cast<size_t>(n));
        (void)BIO_reset(out.get());
        return s;
    };
    std::string subject = text();
    int at = X509_get_ext_by_NID(cert, NID_subject_alt_name, -1);
    if (at >= 0) {
        X509V3_EXT_print(out.get(), X509_get_ext(cert, at), 0, 0);
    }
    return {std::move(subject), text()};
}

// Kafka's CertificateEntries.ensureCompatible: a replacement keystore must name the same
// subject and alternative names, so host-name checks and principals derived from the
// certificate keep their meaning. Contexts without a certificate (clients) are compatible.
void ensure_compatible(SSL_CTX* existing, SSL_CTX* replacement) {
    X509* old_cert = SSL_CTX_get0_certificate(existing);
    X509* new_cert = SSL_CTX_get0_certificate(replacement);
    if (old_cert == nullptr || new_cert == nullptr) {
        return;
    }
    auto [old_dn, old_san] = certificate_names(old_cert);
    auto [new_dn, new_san] = certificate_names(new_cert);
    if (old_dn != new_dn) {
        throw SslConfigError("Keystore DistinguishedName does not match: existing={" + old_dn +
                             "}, new={" + new_dn + "}");
    }
    if (old_san != new_san) {
        throw SslConfigError("Keystore SubjectAltNames do not match: existing={" + old_san +
                             "}, new={" + new_san + "}");
    }
}

}  // namespace

SslContextPtr build_ssl_context(const SslConfig& c, SslMode mode) {
    check_pem(c);
    SslContextPtr ctx(
        SSL_CTX_new(mode == SslMode::server ? TLS_server_method() : TLS_client_method()),
        &SSL_CTX_free);
    if (!ctx) {
        throw SslConfigError("cannot create a TLS context: " + openssl_error());
    }
    set_protocols(ctx.get(), c.enabled_protocols);
    set_cipher_suites(ctx.get(), c.cipher_suites);
    load_keystore(ctx.get(), c);
    size_t trusted = load_truststore(ctx.get(), c, mode);
    build_chain_once(ctx.get());
    if (mode == SslMode::server) {
        if (SSL_CTX_get0_certificate(ctx.get()) == nullptr) {
            throw SslConfigError(
                "a TLS listener needs a keystore (ssl.keystore.location, or "
                "ssl.keystore.key and ssl.keystore.certificate.chain)");
        }
        int verify = SSL_VERIFY_NONE;
        if (c.client_auth == SslClientAuth::requested) {
            verify = SSL_VERIFY_PEER;
        } else if (c.client_auth == SslClientAuth::required) {
            verify = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
        }
        if (verify != SSL_VERIFY_NONE && trusted == 0) {
            throw SslConfigError(
                "ssl.client.auth needs a truststore to check client certificates "
                "against (ssl.truststore.location)");
        }
        SSL_CTX_set_verify(ctx.get(), verify, nullptr);
        // Resumed sessions skip the certificate exchange; ask for a fresh one each time so a
        // reconnecting client's principal is always taken from a certificate just checked.
        SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
        SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET);
    } else {
        if (trusted == 0) {
            SSL_CTX_set_default_verify_paths(ctx.get());
        }
        SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    }
    SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS);
    return ctx;
}

void prepare_client_ssl(ssl_st* ssl, const SslConfig& config, const std::string& host) {
    SSL_set_tlsext_host_name(ssl, host.c_str());
    if (config.endpoint_identification_algorithm == "https") {
        SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        SSL_set1_host(ssl, host.c_str());
    }
}

SslFactory::SslFactory(SslConfig config, SslMode mode)
    : config_(std::move(config)), mode_(mode), handshake_timeout_(config_.handshake_timeout) {
    mtimes_ = modification_times();
    current_ = build_ssl_context(config_, mode_);
    next_check_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
}

std::vector<std::string> SslFactory::watched_files() const {
    std::vector<std::string> files;
    for (const auto* path : {&config_.keystore_location, &config_.truststore_location}) {
        if (!path->empty()) {
            files.push_back(*path);
        }
    }
    return files;
}

std::vector<std::chrono::file_clock::time_point> SslFactory::modification_times() const {
    std::vector<std::chrono::file_clock::time_point> times;
    for (const auto& f : watched_files()) {
        std::error_code ec;
        times.push_back(std::filesystem::last_write_time(f, ec));
    }
    return times;
}

SslConfig SslFactory::config() const {
    std::lock_guard lock(mu_);
    return config_;
}

SslContextPtr SslFactory::build_compatible(const SslConfig& config) const {
    SslContextPtr fresh = build_ssl_context(config, mode_);
    SslContextPtr current;
    {
        std::lock_guard lock(mu_);
        current = current_;
    }
    ensure_compatible(current.get(), fresh.get());
    return fresh;
}

std::optional<std::string> SslFactory::validate_reconfiguration(const SslConfig& config) const {
    try {
        build_compatible(config);
    } catch (const SslConfigError& e) {
        return e.what();
    }
    return std::nullopt;
}

void SslFactory::reconfigure(SslConfig config) {
    // Built outside the lock: new connections go on with the current context meanwhile.
    SslContextPtr fresh = build_compatible(config);
    std::lock_guard lock(mu_);
    config_ = std::move(config);
    current_ = std::move(fresh);
    mtimes_ = modification_times();
    logger().info("TLS configuration replaced: keystore {}",
                  config_.keystore_location.empty() ? "inline" : config_.keystore_location);
}

SslContextPtr SslFactory::context() {
    std::lock_guard lock(mu_);
    auto now = std::chrono::steady_clock::now();
    if (now < next_check_) {
        return current_;
    }
    next_check_ = now + std::chrono::seconds(1);
    auto times = modification_times();
    if (times == mtimes_) {
        return current_;
    }
    try {
        current_ = build_ssl_context(config_, mode_);
        mtimes_ = times;  // on failure, tried again next second: the copy may be unfinished
        logger().info("TLS key material reloaded from {}", fmt::join(watched_files(), ", "));
    } catch (const SslConfigError& e) {
        logger().error("TLS key material changed but cannot be loaded, keeping the previous: {}",
                       e.what());
    }
    return current_;
}

}  // namespace samsa::auth
