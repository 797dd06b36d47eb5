// samsa-admin configs: argument parsing and dispatch (configs_options.h).

#include "tools/admin/configs_options.h"

#include <cstdio>
#include <stdexcept>

namespace samsa::tools {

namespace {

// Splits at `sep` outside [...] (Kafka's config-value grammar: lists go in brackets).
std::vector<std::string> split_outside_brackets(const std::string& text, char sep) {
    std::vector<std::string> out;
    std::string current;
    int depth = 0;
    for (const char c : text) {
        depth += c == '[' ? 1 : c == ']' ? -1 : 0;
        if (c == sep && depth == 0) {
            out.push_back(current);
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.empty()) {
        out.push_back(current);
    }
    return out;
}

auth::ScramMechanism mechanism_or_throw(const std::string& name) {
    auto m = auth::parse_scram_mechanism(name);
    if (!m) {
        throw std::invalid_argument("Invalid SCRAM mechanism '" + name +
                                    "' (SCRAM-SHA-256 and SCRAM-SHA-512 are)");
    }
    return *m;
}

ScramAddition parse_addition(const std::string& mechanism, std::string value) {
    if (value.size() >= 2 && value.front() == '[' && value.back() == ']') {
        value = value.substr(1, value.size() - 2);
    }
    ScramAddition a;
    bool has_password = false;
    for (const auto& part : split_outside_brackets(value, ',')) {
        const size_t eq = part.find('=');
        const std::string key = part.substr(0, eq);
        const std::string v = eq == std::string::npos ? "" : part.substr(eq + 1);
        if (key == "iterations") {
            a.iterations = std::stoi(v);
        } else if (key == "password") {
            a.password = v;
            has_password = true;
        } else {
            throw std::invalid_argument("Invalid " + mechanism + " option '" + key +
                                        "' (iterations and password are)");
        }
    }
    if (!has_password) {
        throw std::invalid_argument(mechanism + " needs a password");
    }
    if (a.iterations < auth::kScramMinIterations) {
        throw std::invalid_argument(
            "Iterations " + std::to_string(a.iterations) + " is less than the minimum " +
            std::to_string(auth::kScramMinIterations) + " required for " + mechanism);
    }
    return a;
}

std::string take_value(const Args& args, size_t& i) {
    if (i + 1 >= args.size()) {
        throw std::invalid_argument("Option " + args[i] + " requires an argument");
    }
    return args[++i];
}

void validate(const ConfigsOptions& o) {
    if (o.zookeeper.empty() == o.bootstrap_server.empty()) {
        throw std::invalid_argument(
            "Exactly one of --zookeeper or --bootstrap-server must be "
            "specified");
    }
    if (o.alter == o.describe) {
        throw std::invalid_argument(
            "Command must include exactly one action: --alter or "
            "--describe");
    }
    if (o.entity_type != "users") {
        throw std::invalid_argument("--entity-type users is the only entity type supported");
    }
    if (o.alter && (!o.entity_name || o.entity_name->empty())) {
        throw std::invalid_argument("--entity-name must be specified with --alter of users");
    }
    if (o.alter && o.additions.empty() && o.deletions.empty()) {
        throw std::invalid_argument(
            "At least one of --add-config or --delete-config must be "
            "specified with --alter");
    }
}

}  // namespace

std::map<auth::ScramMechanism, ScramAddition> parse_scram_additions(const std::string& text) {
    std::map<auth::ScramMechanism, ScramAddition> out;
    for (const auto& entry : split_outside_brackets(text, ',')) {
        const size_t eq = entry.find('=');
        const std::string name = entry.substr(0, eq);
        const auth::ScramMechanism m = mechanism_or_throw(name);
        out[m] = parse_addition(name, eq == std::string::npos ? "" : entry.substr(eq + 1));
    }
    return out;
}

ConfigsOptions parse_configs_options(const Args& args) {
    ConfigsOptions o;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            o.help = true;
            return o;
        } else if (a == "--zookeeper") {
            o.zookeeper = take_value(args, i);
        } else if (a == "--zookeeper.auth.digest") {
            o.zookeeper_auth_digest = take_value(args, i);
        } else if (a == "--bootstrap-server") {
            o.bootstrap_server = take_value(args, i);
        } else if (a == "--command-config") {
            o.command_config = take_value(args, i);
        } else if (a == "--alter") {
            o.alter = true;
        } else if (a == "--describe") {
            o.describe = true;
        } else if (a == "--entity-type") {
            o.entity_type = take_value(args, i);
        } else if (a == "--entity-name") {
            o.entity_name = take_value(args, i);
        } else if (a == "--add-config") {
            for (auto& [m, add] : parse_scram_additions(take_value(args, i))) {
                o.additions[m] = add;
            }
        } else if (a == "--delete-config") {
            for (const auto& name : split_outside_brackets(take_value(args, i), ',')) {
                o.deletions.push_back(mechanism_or_throw(name));
            }
        } else {
            throw std::invalid_argument("Unrecognized option '" + a + "'");
        }
    }
    validate(o);
    return o;
}

std::string configs_usage() {
    return "usage: samsa-admin configs (--zookeeper <h:p[/chroot]> | --bootstrap-server <h:p>\n"
           "                            [--command-config <client.properties>])\n"
           "         [--zookeeper.auth.digest <user:password>]  (a zookeeper.set.acl=true cluster:\n"
           "                                                    the brokers' ZooKeeper login)\n"
           "         --alter --entity-type users --entity-name <user>\n"
           "             [--add-config 'SCRAM-SHA-256=[iterations=8192,password=<pw>],"
           "SCRAM-SHA-512=[password=<pw>]']\n"
           "             [--delete-config 'SCRAM-SHA-256,SCRAM-SHA-512']\n"
           "       | --describe --entity-type users [--entity-name <user>]\n"
           "\n"
           "Credentials are stored in ZooKeeper at /config/users/<user>. With --bootstrap-server\n"
           "the broker does it (AlterUserScramCredentials, DescribeUserScramCredentials); the\n"
           "command config may set security.protocol, sasl.mechanism and sasl.jaas.config.\n";
}

int run_configs(const Args& args) {
    ConfigsOptions o;
    try {
        o = parse_configs_options(args);
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "%s\n\n%s", e.what(), configs_usage().c_str());
        return 1;
    }
    if (o.help) {
        std::fputs(configs_usage().c_str(), stdout);
        return 0;
    }
    if (!o.zookeeper.empty()) {
        return o.alter ? alter_users_with_zookeeper(o) : describe_users_with_zookeeper(o);
    }
    return o.alter ? alter_users_with_broker(o) : describe_users_with_broker(o);
}

}  // namespace samsa::tools
