#include "auth/ssl_factory.h"

#include "auth/ssl_peer.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace samsa::auth {
namespace {

namespace fs = std::filesystem;

// One directory of test certificates for the whole binary, made by scripts/samsa-certs.sh.
class Certs : public ::testing::Environment {
  public:
    static inline fs::path dir;

    void SetUp() override {
        dir = fs::temp_directory_path() / ("samsa-auth-test-" + std::to_string(::getpid()));
        fs::create_directories(dir);
        const std::string script = SAMSA_CERTS_SCRIPT;
        const std::string d = " --dir " + dir.string() + " ";
        for (const std::string& args :
             {d + "ca", d + "broker broker", d + "client alice --subject /O=Samsa/OU=eng/CN=alice",
              d + "broker other"}) {
            ASSERT_EQ(std::system((script + args + " > /dev/null").c_str()), 0) << args;
        }
        // The same broker's certificate renewed: same CA, subject and names, a new key.
        fs::create_directories(dir / "renewed");
        for (const char* f : {"ca.key", "ca.pem"}) {
            fs::copy_file(dir / f, dir / "renewed" / f);
        }
        const std::string renew =
            script + " --dir " + (dir / "renewed").string() + " broker broker > /dev/null";
        ASSERT_EQ(std::system(renew.c_str()), 0);
    }
    void TearDown() override { fs::remove_all(dir); }
};

const auto* const kCerts = ::testing::AddGlobalTestEnvironment(new Certs);

SslConfig server_config() {
    SslConfig c;
    c.keystore_location = (Certs::dir / "broker.pem").string();
    c.truststore_location = (Certs::dir / "ca.pem").string();
    return c;
}

SslConfig client_config() {
    SslConfig c;
    c.truststore_location = (Certs::dir / "ca.pem").string();
    return c;
}

std::string read(const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs a handshake between two SSL objects over a memory BIO pair; true if both finished.
bool handshake(SSL* client, SSL* server) {
    BIO* client_bio = nullptr;
    BIO* server_bio = nullptr;
    BIO_new_bio_pair(&client_bio, 0, &server_bio, 0);
    SSL_set_bio(client, client_bio, client_bio);
    SSL_set_bio(server, server_bio, server_bio);
    SSL_set_connect_state(client);
    SSL_set_accept_state(server);
    bool client_done = false;
    bool server_done = false;
    for (int i = 0; i < 100 && !(client_done && server_done); ++i) {
        if (!client_done) {
            int r = SSL_do_handshake(client);
            client_done = r == 1;
            if (r <= 0 && SSL_get_error(client, r) != SSL_ERROR_WANT_READ)
                return false;
        }
        if (!server_done) {
            int r = SSL_do_handshake(server);
            server_done = r == 1;
            if (r <= 0 && SSL_get_error(server, r) != SSL_ERROR_WANT_READ)
                return false;
        }
    }
    // TLS 1.3 sends the server's verdict on the client certificate after the client finished:
    // a read on the client surfaces it.
    char byte;
    int r = SSL_read(client, &byte, 1);
    return client_done && server_done && (r > 0 || SSL_get_error(client, r) == SSL_ERROR_WANT_READ);
}

struct Pair {
    std::unique_ptr<SSL, decltype(&SSL_free)> client{nullptr, &SSL_free};
    std::unique_ptr<SSL, decltype(&SSL_free)> server{nullptr, &SSL_free};
};

Pair connect(const SslContextPtr& client_ctx, const SslContextPtr& server_ctx,
             const SslConfig& client, const std::string& host = "localhost") {
    Pair p;
    p.client.reset(SSL_new(client_ctx.get()));
    p.server.reset(SSL_new(server_ctx.get()));
    prepare_client_ssl(p.client.get(), client, host);
    return p;
}

TEST(SslFactory, ServerAndClientHandshake) {
    auto server = build_ssl_context(server_config(), SslMode::server);
    auto client_cfg = client_config();
    auto client = build_ssl_context(client_cfg, SslMode::client);
    auto p = connect(client, server, client_cfg);
    ASSERT_TRUE(handshake(p.client.get(), p.server.get()));
    EXPECT_EQ(peer_certificate_subject(p.client.get()), "CN=broker");
    EXPECT_EQ(peer_certificate_subject(p.server.get()), std::nullopt);  // no client cert
    EXPECT_EQ(SSL_version(p.client.get()), TLS1_3_VERSION);
}

// The chain a keystore without intermediates is sent with is completed from the trust store
// once, when the context is built, not on each handshake; clients receive the same
// certificates: the broker's, then the CA's.
TEST(SslFactory, ServerChainIsBuiltOnceFromTheTrustStore) {
    auto server = build_ssl_context(server_config(), SslMode::server);
    STACK_OF(X509)* prebuilt = nullptr;
    ASSERT_EQ(SSL_CTX_get0_chain_certs(server.get(), &prebuilt), 1);
    ASSERT_NE(prebuilt, nullptr);
    ASSERT_EQ(sk_X509_num(prebuilt), 1);
    auto ca_file = std::unique_ptr<BIO, decltype(&BIO_free)>(
        BIO_new_file((Certs::dir / "ca.pem").c_str(), "r"), &BIO_free);
    auto ca = std::unique_ptr<X509, decltype(&X509_free)>(
        PEM_read_bio_X509(ca_file.get(), nullptr, nullptr, nullptr), &X509_free);
    ASSERT_TRUE(ca);
    EXPECT_EQ(X509_cmp(sk_X509_value(prebuilt, 0), ca.get()), 0);

    auto client_cfg = client_config();
    auto client = build_ssl_context(client_cfg, SslMode::client);
    for (int i = 0; i < 2; ++i) {
        auto p = connect(client, server, client_cfg);
        ASSERT_TRUE(handshake(p.client.get(), p.server.get()));
        STACK_OF(X509)* sent = SSL_get_peer_cert_chain(p.client.get());
        ASSERT_NE(sent, nullptr);
        ASSERT_EQ(sk_X509_num(sent), 2);
        EXPECT_EQ(X509_cmp(sk_X509_value(sent, 1), ca.get()), 0);
    }

    // Without a trust store there is nothing to complete it with: the certificate alone.
    SslConfig alone = server_config();
    alone.truststore_location.clear();
    auto bare = build_ssl_context(alone, SslMode::server);
    auto p = connect(client, bare, client_cfg);
    ASSERT_TRUE(handshake(p.client.get(), p.server.get()));
    EXPECT_EQ(sk_X509_num(SSL_get_peer_cert_chain(p.client.get())), 1);
}

TEST(SslFactory, EndpointIdentificationChecksTheHostName) {
    auto server = build_ssl_context(server_config(), SslMode::server);
    auto client_cfg = client_config();
    auto client = build_ssl_context(client_cfg, SslMode::client);
    auto wrong = connect(client, server, client_cfg, "elsewhere.example");
    EXPECT_FALSE(handshake(wrong.client.get(), wrong.server.get()));
    client_cfg.endpoint_identification_algorithm = "";
    auto unchecked = connect(client, server, client_cfg, "elsewhere.example");
    EXPECT_TRUE(handshake(unchecked.client.get(), unchecked.server.get()));
}

TEST(SslFactory, ClientCertificateGivesTheSubject) {
    auto server_cfg = server_config();
    server_cfg.client_auth = SslClientAuth::required;
    auto server = build_ssl_context(server_cfg, SslMode::server);
    auto client_cfg = client_config();
    client_cfg.keystore_location = (Certs::dir / "alice.pem").string();
    auto client = build_ssl_context(client_cfg, SslMode::client);
    auto p = connect(client, server, client_cfg);
    ASSERT_TRUE(handshake(p.client.get(), p.server.get()));
    EXPECT_EQ(peer_certificate_subject(p.server.get()), "CN=alice,OU=eng,O=Samsa");

    // Required and none given: refused.
    auto anonymous_cfg = client_config();
    auto anonymous = build_ssl_context(anonymous_cfg, SslMode::client);
    auto q = connect(anonymous, server, anonymous_cfg);
    EXPECT_FALSE(handshake(q.client.get(), q.server.get()));
}

TEST(SslFactory, InlinePemKeystore) {
    SslConfig c;
    c.keystore_key = read(Certs::dir / "broker.key");
    c.keystore_certificate_chain = read(Certs::dir / "broker.crt");
    c.truststore_certificates = read(Certs::dir / "ca.pem");
    EXPECT_NE(build_ssl_context(c, SslMode::server), nullptr);
}

TEST(SslFactory, ConfigurationErrorsNameTheProblem) {
    auto expect_error = [](SslConfig c, SslMode mode, const std::string& needle) {
        try {
            build_ssl_context(c, mode);
            ADD_FAILURE() << "no error; expected one mentioning " << needle;
        } catch (const SslConfigError& e) {
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        }
    };
    auto c = server_config();
    c.keystore_type = "JKS";
    expect_error(c, SslMode::server, "ssl.keystore.type=JKS");
    c = server_config();
    c.keystore_location = "/nonexistent/broker.pem";
    expect_error(c, SslMode::server, "/nonexistent/broker.pem");
    c = server_config();
    c.keystore_location.clear();
    expect_error(c, SslMode::server, "needs a keystore");
    c = server_config();
    c.keystore_location.clear();
    c.keystore_key = read(Certs::dir / "broker.key");
    c.keystore_certificate_chain = read(Certs::dir / "other.crt");
    expect_error(c, SslMode::server, "does not match");
    c = server_config();
    c.enabled_protocols = {"SSLv3"};
    expect_error(c, SslMode::server, "SSLv3");
    c = server_config();
    c.cipher_suites = {"TLS_NOT_A_SUITE"};
    expect_error(c, SslMode::server, "TLS_NOT_A_SUITE");
    c = server_config();
    c.truststore_location.clear();
    c.client_auth = SslClientAuth::required;
    expect_error(c, SslMode::server, "truststore");
}

TEST(SslFactory, CipherSuitesTakeStandardNames) {
    auto server_cfg = server_config();
    server_cfg.enabled_protocols = {"TLSv1.2"};
    server_cfg.cipher_suites = {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"};
    auto server = build_ssl_context(server_cfg, SslMode::server);
    auto client_cfg = client_config();
    auto client = build_ssl_context(client_cfg, SslMode::client);
    auto p = connect(client, server, client_cfg);
    ASSERT_TRUE(handshake(p.client.get(), p.server.get()));
    EXPECT_EQ(negotiated_cipher(p.client.get()), "TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256");
}

TEST(SslFactory, ReloadsWhenTheKeystoreFileChanges) {
    auto keystore = Certs::dir / "reloaded.pem";
    fs::copy_file(Certs::dir / "broker.pem", keystore, fs::copy_options::overwrite_existing);
    auto cfg = server_config();
    cfg.keystore_location = keystore.string();
    SslFactory factory(cfg, SslMode::server);
    auto first = factory.context();
    EXPECT_EQ(factory.context(), first);  // unchanged: the same context

    // A broken file keeps the old context in service.
    std::ofstream(keystore) << "not a key\n";
    fs::last_write_time(keystore, fs::file_time_type::clock::now() + std::chrono::seconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // context() looks once a second
    EXPECT_EQ(factory.context(), first);

    fs::copy_file(Certs::dir / "other.pem", keystore, fs::copy_options::overwrite_existing);
    fs::last_write_time(keystore, fs::file_time_type::clock::now() + std::chrono::seconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    auto second = factory.context();
    ASSERT_NE(second, first);
    auto client_cfg = client_config();
    auto client = build_ssl_context(client_cfg, SslMode::client);
    auto p = connect(client, second, client_cfg);
    ASSERT_TRUE(handshake(p.client.get(), p.server.get()));
    EXPECT_EQ(peer_certificate_subject(p.client.get()), "CN=other");
}

TEST(SslFactory, ReconfigureTakesARenewedKeystoreWithTheSameSubjectOnly) {
    SslFactory factory(server_config(), SslMode::server);
    const auto first = factory.context();

    auto other = server_config();
    other.keystore_location = (Certs::dir / "other.pem").string();
    auto why = factory.validate_reconfiguration(other);
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("Keystore DistinguishedName does not match: existing={CN=broker}, "
                        "new={CN=other}"),
              std::string::npos)
        << *why;
    EXPECT_THROW(factory.reconfigure(other), SslConfigError);
    auto missing = server_config();
    missing.keystore_location = (Certs::dir / "no-such.pem").string();
    EXPECT_TRUE(factory.validate_reconfiguration(missing));
    EXPECT_EQ(factory.context(), first);  // refused: still served

    auto renewed = server_config();
    renewed.keystore_location = (Certs::dir / "renewed" / "broker.pem").string();
    EXPECT_EQ(factory.validate_reconfiguration(renewed), std::nullopt);
    factory.reconfigure(renewed);
    const auto second = factory.context();
    ASSERT_NE(second, first);
    EXPECT_EQ(factory.config().keystore_location, renewed.keystore_location);
    // The new certificate is the renewed file's, not the old one.
    EXPECT_NE(
        X509_cmp(SSL_CTX_get0_certificate(second.get()), SSL_CTX_get0_certificate(first.get())), 0);
    auto client_cfg = client_config();
    auto client = build_ssl_context(client_cfg, SslMode::client);
    auto p = connect(client, second, client_cfg);
    ASSERT_TRUE(handshake(p.client.get(), p.server.get()));
    EXPECT_EQ(peer_certificate_subject(p.client.get()), "CN=broker");
}

}  // namespace
}  // namespace samsa::auth
