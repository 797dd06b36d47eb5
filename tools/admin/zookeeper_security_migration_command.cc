// samsa-admin zookeeper-security-migration: Kafka's zookeeper-security-migration.sh. Sets the
// ACLs of every znode of an existing cluster to the secure layout (before its brokers restart
// with zookeeper.set.acl=true) or back to open ones:
//
//   samsa-admin zookeeper-security-migration --zookeeper.acl secure
//       --zookeeper.connect zk1:2181/kafka --zookeeper.auth.digest samsa-broker:secret
//   (one command line)
//
// The creator ACLs name the login the tool runs with, so it must be the brokers' own
// (zookeeper.auth.digest); Kafka takes it from a JAAS file instead.

#include "tools/admin/command.h"
#include "zk/zk_security_migrator.h"
#include "zk/zookeeper_client.h"

#include <cstdio>
#include <stdexcept>
#include <string>

namespace samsa::tools {

namespace {

void usage(std::FILE* out) {
    std::fprintf(
        out,
        "Usage: samsa-admin zookeeper-security-migration --zookeeper.acl secure|unsecure\n"
        "           --zookeeper.connect host:port[/chroot] [--zookeeper.auth.digest "
        "user:password]\n"
        "           [--zookeeper.session.timeout ms] [--zookeeper.connection.timeout ms]\n"
        "  Sets every Kafka znode's ACL to the secure layout (creator-all plus world-read;\n"
        "  creator-only for credentials) or to open ACLs. Run it with the brokers' own\n"
        "  ZooKeeper login (--zookeeper.auth.digest, as zookeeper.auth.digest in\n"
        "  server.properties): the creator ACLs name the login that runs it.\n");
}

struct Options {
    std::string acl;
    std::string connect;
    std::string digest;
    int session_timeout_ms = 30000;
    int connection_timeout_ms = 30000;
};

Options parse(const Args& args) {
    Options o;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> const std::string& {
            if (i + 1 >= args.size()) {
                throw std::invalid_argument(a + " needs a value");
            }
            return args[++i];
        };
        if (a == "--zookeeper.acl") {
            o.acl = value();
        } else if (a == "--zookeeper.connect") {
            o.connect = value();
        } else if (a == "--zookeeper.auth.digest") {
            o.digest = value();
        } else if (a == "--zookeeper.session.timeout") {
            o.session_timeout_ms = std::stoi(value());
        } else if (a == "--zookeeper.connection.timeout") {
            o.connection_timeout_ms = std::stoi(value());
        } else {
            throw std::invalid_argument("unknown option " + a);
        }
    }
    if (o.acl != "secure" && o.acl != "unsecure") {
        throw std::invalid_argument("--zookeeper.acl must be secure or unsecure");
    }
    if (o.connect.empty()) {
        throw std::invalid_argument("--zookeeper.connect is required");
    }
    if (o.acl == "secure" && o.digest.find(':') == std::string::npos) {
        throw std::invalid_argument(
            "--zookeeper.acl secure needs the brokers' login: --zookeeper.auth.digest "
            "user:password");
    }
    return o;
}

}  // namespace

int run_zookeeper_security_migration(const Args& args) {
    for (const auto& a : args) {
        if (a == "--help" || a == "-h") {
            usage(stdout);
            return 0;
        }
    }
    Options o;
    try {
        o = parse(args);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n\n", e.what());
        usage(stderr);
        return 1;
    }
    zk::ZooKeeperClientOptions options;
    options.connect_string = o.connect;
    options.session_timeout_ms = o.session_timeout_ms;
    options.connection_timeout_ms = o.connection_timeout_ms;
    if (!o.digest.empty()) {
        options.auth_scheme = "digest";
        options.auth_credentials = o.digest;
    }
    auto client = zk::ZooKeeperClient::connect(options);
    if (!client) {
        std::fprintf(stderr, "cannot connect to ZooKeeper at %s: %s\n", o.connect.c_str(),
                     client.error().message().c_str());
        return 1;
    }
    const auto mode = o.acl == "secure" ? zk::ZkAclMode::secure : zk::ZkAclMode::unsecure;
    auto done = zk::migrate_znode_acls(*client.value(), mode, [](int64_t n) {
        std::printf("%lld znodes set\n", static_cast<long long>(n));
        std::fflush(stdout);
    });
    if (!done) {
        std::fprintf(stderr,
                     "migration stopped: %s (znodes a different login made need that "
                     "login, or a ZooKeeper super user)\n",
                     done.error().message().c_str());
        return 1;
    }
    std::printf("Set the ACLs of %lld znodes to %s.\n", static_cast<long long>(done.value()),
                o.acl.c_str());
    return 0;
}

}  // namespace samsa::tools
