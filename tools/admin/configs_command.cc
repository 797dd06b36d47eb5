// samsa-admin configs: argument parsing and dispatch (configs_options.h): users go to
// configs_zookeeper.cc or configs_broker.cc, topics and brokers to configs_resources.cc.

#include "tools/admin/configs_options.h"
#include "tools/admin/tool_support.h"

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <fstream>
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

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) {
        return "";
    }
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

bool is_broker_id(const std::string& s) {
    if (s.empty() || s.size() > 10) {
        return false;
    }
    size_t i = s[0] == '-' ? 1 : 0;
    return i < s.size() && s.find_first_not_of("0123456789", i) == std::string::npos;
}

// What the command line said, before the entity type decides how to read --add-config.
struct RawCommandLine {
    std::vector<std::string> entity_types;  // --entity-type and the shorthand flags, in order
    std::vector<std::string> named;         // --entity-name and the shorthands' values
    bool entity_default = false;            // --entity-default or --broker-defaults
    bool shorthand = false;                 // --topic, --broker, --broker-defaults, --user
    bool entity_flags = false;              // --entity-type, --entity-name, --entity-default
    std::optional<std::string> add_config;
    std::optional<std::string> add_config_file;
    std::vector<std::string> delete_config;
};

void validate_entities(const ConfigsOptions& o, const RawCommandLine& raw) {
    // ConfigCommandOptions.checkArgs, in its order.
    const auto& types = raw.entity_types;
    for (size_t i = 1; i < types.size(); ++i) {
        if (std::find(types.begin(), types.begin() + static_cast<std::ptrdiff_t>(i), types[i]) !=
            types.begin() + static_cast<std::ptrdiff_t>(i)) {
            throw std::invalid_argument("Duplicate entity type(s) specified: " + types[i]);
        }
    }
    for (const auto& type : types) {
        if (type != "users" && type != "topics" && type != "brokers") {
            throw std::invalid_argument("Invalid entity type " + type +
                                        ", the entity type must be one of users, topics, brokers");
        }
    }
    if (types.empty()) {
        throw std::invalid_argument("At least one entity type must be specified");
    }
    if (types.size() > 1) {
        throw std::invalid_argument(
            "Only 'users' and 'clients' entity types may be specified together");
    }
    if (raw.shorthand && raw.entity_flags) {
        throw std::invalid_argument(
            "--entity-{type,name,default} should not be used in conjunction with specific "
            "entity flags");
    }
    if (raw.named.size() > 1 || (!raw.named.empty() && raw.entity_default)) {
        throw std::invalid_argument(
            "Exactly one entity name must be specified for every "
            "entity type");
    }
    const std::string& type = o.entity_type;
    if (type == "brokers" && o.entity_name && !o.entity_name->empty() &&
        !is_broker_id(*o.entity_name)) {
        throw std::invalid_argument(
            "The entity name for brokers must be a valid integer broker id, but it is: " +
            *o.entity_name);
    }
    if (type != "users" && !o.zookeeper.empty()) {
        throw std::invalid_argument("--bootstrap-server must be specified for entity-type " + type +
                                    " (samsa-configs.sh changes " + type + " through the brokers)");
    }
    if (type == "topics" && o.entity_default) {
        throw std::invalid_argument("--entity-default must not be specified with topics");
    }
}

void validate(const ConfigsOptions& o, const RawCommandLine& raw) {
    if (o.zookeeper.empty() == o.bootstrap_server.empty()) {
        throw std::invalid_argument(
            "Exactly one of --zookeeper or --bootstrap-server must be "
            "specified");
    }
    if (o.alter == o.describe) {
        throw std::invalid_argument("Command must include exactly one action: --describe, --alter");
    }
    if (o.describe && (raw.add_config || raw.add_config_file || !raw.delete_config.empty())) {
        throw std::invalid_argument("Option \"[describe]\" can't be used with option \"[" +
                                    std::string(raw.add_config        ? "add-config"
                                                : raw.add_config_file ? "add-config-file"
                                                                      : "delete-config") +
                                    "]\"");
    }
    validate_entities(o, raw);
    if (!o.alter) {
        return;
    }
    const bool named = o.entity_name && !o.entity_name->empty();  // Kafka's hasEntityName
    if (o.entity_type == "users" && !named) {
        throw std::invalid_argument("--entity-name must be specified with --alter of users");
    }
    if (o.entity_type == "brokers" && !o.entity_name && !o.entity_default) {
        throw std::invalid_argument(
            "an entity-name or default entity must be specified with --alter of users, clients "
            "or brokers");
    }
    if (o.entity_type == "topics" && !named) {
        throw std::invalid_argument("an entity name must be specified with --alter of topics");
    }
    if (raw.add_config && raw.add_config_file) {
        throw std::invalid_argument(
            "Only one of --add-config or --add-config-file must be specified");
    }
    if (!raw.add_config && !raw.add_config_file && raw.delete_config.empty()) {
        throw std::invalid_argument(
            "At least one of --add-config, --add-config-file, or --delete-config must be "
            "specified with --alter");
    }
}

// The entity flags, generic and shorthand (ConfigCommandOptions.entityTypes/entityNames).
bool read_entity_flag(const Args& args, size_t& i, ConfigsOptions& o, RawCommandLine& raw) {
    const std::string& a = args[i];
    auto shorthand = [&](const char* type, std::optional<std::string> name) {
        raw.entity_types.emplace_back(type);
        raw.shorthand = true;
        if (name) {
            raw.named.push_back(*name);
            o.entity_name = std::move(name);
        } else {
            raw.entity_default = o.entity_default = true;
        }
    };
    if (a == "--entity-type") {
        raw.entity_types.push_back(take_value(args, i));
        raw.entity_flags = true;
    } else if (a == "--entity-name") {
        raw.named.push_back(take_value(args, i));
        o.entity_name = raw.named.back();
        raw.entity_flags = true;
    } else if (a == "--entity-default") {
        raw.entity_default = o.entity_default = true;
        raw.entity_flags = true;
    } else if (a == "--topic") {
        shorthand("topics", take_value(args, i));
    } else if (a == "--broker") {
        shorthand("brokers", take_value(args, i));
    } else if (a == "--broker-defaults") {
        shorthand("brokers", std::nullopt);
    } else if (a == "--user") {
        shorthand("users", take_value(args, i));
    } else {
        return false;
    }
    return true;
}

// --add-config and --delete-config mean SCRAM credentials for users, configs otherwise.
void read_configs(ConfigsOptions& o, const RawCommandLine& raw) {
    if (o.entity_type == "users") {
        if (raw.add_config_file) {
            throw std::invalid_argument("--add-config-file is not supported for users");
        }
        if (raw.add_config) {
            o.additions = parse_scram_additions(*raw.add_config);
        }
        for (const auto& name : raw.delete_config) {
            o.deletions.push_back(mechanism_or_throw(name));
        }
        return;
    }
    if (raw.add_config_file) {
        o.configs_to_add = read_config_file(*raw.add_config_file);
    }
    if (raw.add_config) {
        o.configs_to_add = parse_configs_to_add(*raw.add_config);
    }
    o.configs_to_delete = raw.delete_config;
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

std::map<std::string, std::string> parse_configs_to_add(const std::string& text) {
    std::map<std::string, std::string> out;
    for (const auto& entry : split_outside_brackets(text, ',')) {
        const auto parts = split_outside_brackets(entry + "\x01", '=');  // keeps "k=" apart
        if (parts.size() != 2) {
            throw std::invalid_argument(
                "requirement failed: Invalid entity config: all configs to be added must be in "
                "the format \"key=val\".");
        }
        std::string value;
        for (const char c : parts[1].substr(0, parts[1].size() - 1)) {
            if (c != '[' && c != ']') {
                value += c;
            }
        }
        out[trim(parts[0])] = trim(value);
    }
    return out;
}

std::map<std::string, std::string> read_config_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw std::invalid_argument(path + " (No such file or directory)");
    }
    std::map<std::string, std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        line = trim(line);
        if (line.empty() || line[0] == '#' || line[0] == '!') {
            continue;
        }
        const size_t sep = line.find_first_of("=:");
        out[trim(line.substr(0, sep))] = sep == std::string::npos ? "" : trim(line.substr(sep + 1));
    }
    return out;
}

ConfigsOptions parse_configs_options(const Args& args) {
    ConfigsOptions o;
    RawCommandLine raw;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") {
            o.help = true;
            return o;
        } else if (read_entity_flag(args, i, o, raw)) {
            continue;
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
        } else if (a == "--all") {
            o.all = true;
        } else if (a == "--force") {
            // Kafka's "Suppress console prompts": there are none here.
        } else if (a == "--add-config") {
            raw.add_config = take_value(args, i);
        } else if (a == "--add-config-file") {
            raw.add_config_file = take_value(args, i);
        } else if (a == "--delete-config") {
            for (const auto& name : split_outside_brackets(take_value(args, i), ',')) {
                raw.delete_config.push_back(trim(name));
            }
        } else {
            throw std::invalid_argument("Unrecognized option '" + a + "'");
        }
    }
    o.entity_type = raw.entity_types.empty() ? "" : raw.entity_types.front();
    validate(o, raw);
    read_configs(o, raw);
    return o;
}

std::string configs_usage() {
    return "This tool helps to manipulate and describe entity config for a topic, user or broker\n"
           "usage: samsa-admin configs (--bootstrap-server <h:p> [--command-config "
           "<client.properties>]\n"
           "                            | --zookeeper <h:p[/chroot]>  (users only))\n"
           "  topics and brokers (--bootstrap-server):\n"
           "    --alter (--entity-type topics --entity-name <topic> | --topic <topic>\n"
           "             | --entity-type brokers (--entity-name <id> | --entity-default)\n"
           "             | --broker <id> | --broker-defaults)\n"
           "        [--add-config 'k1=v1,k2=[v1,v2],k3=v3' | --add-config-file <file.properties>]\n"
           "        [--delete-config 'k4,k5']\n"
           "    --describe [--all] (the same entity flags; leave the name out to describe every\n"
           "               topic, or every broker and the cluster default)\n"
           "  SCRAM users (--zookeeper or --bootstrap-server):\n"
           "    --alter --entity-type users --entity-name <user> (or --user <user>)\n"
           "        [--add-config 'SCRAM-SHA-256=[iterations=8192,password=<pw>],"
           "SCRAM-SHA-512=[password=<pw>]']\n"
           "        [--delete-config 'SCRAM-SHA-256,SCRAM-SHA-512']\n"
           "    --describe --entity-type users [--entity-name <user>]\n"
           "  [--zookeeper.auth.digest <user:password>]  (a zookeeper.set.acl=true cluster: the\n"
           "                                             brokers' ZooKeeper login)\n"
           "  --force  accepted, as Kafka's (there are no prompts)\n"
           "\n"
           "Topic configs go through IncrementalAlterConfigs, broker configs through AlterConfigs\n"
           "(the broker's whole dynamic config is sent again), as Kafka 2.8's kafka-configs.sh;\n"
           "the brokers store them in ZooKeeper at /config/topics/<topic>, /config/brokers/<id> "
           "and\n"
           "/config/brokers/<default>, and apply them at once. --describe shows the dynamic\n"
           "configs (--all: every config) with their synonyms, highest precedence first.\n"
           "Credentials are stored at /config/users/<user>. With --bootstrap-server the broker\n"
           "does it (AlterUserScramCredentials, DescribeUserScramCredentials); the command config\n"
           "may set security.protocol, sasl.mechanism, sasl.jaas.config and the ssl.* settings.\n";
}

namespace {

// ConfigCommand.main's two kinds of failure: a bad request of the operator's (unknown config to
// delete, a missing sensitive value) prints its message alone; a failed call prints which
// command failed, then the exception.
int run_resource_command(const Args& args, const ConfigsOptions& o) {
    try {
        return o.alter ? alter_resource_configs(o) : describe_resource_configs(o);
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "%s\n", e.what());
    } catch (const admin::ToolError& e) {
        std::string joined;
        for (const auto& a : args) {
            joined += (joined.empty() ? "" : " ") + a;
        }
        std::fprintf(stderr, "Error while executing config command with args '%s'\n%s\n",
                     joined.c_str(), e.message.c_str());
    }
    return 1;
}

}  // namespace

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
    if (o.entity_type != "users") {
        return run_resource_command(args, o);
    }
    if (!o.zookeeper.empty()) {
        return o.alter ? alter_users_with_zookeeper(o) : describe_users_with_zookeeper(o);
    }
    return o.alter ? alter_users_with_broker(o) : describe_users_with_broker(o);
}

}  // namespace samsa::tools
