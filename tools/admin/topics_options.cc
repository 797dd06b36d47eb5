#include "tools/admin/topics_options.h"

#include "tools/admin/option_checks.h"

#include <boost/program_options.hpp>

#include <charconv>
#include <iostream>
#include <set>

namespace samsa::admin {

namespace {

namespace po = boost::program_options;

po::options_description describe_options() {
    po::options_description d("Options");
    // clang-format off
    d.add_options()
        ("alter", "Alter the number of partitions, replica assignment, and/or configuration "
                  "for the topic.")
        ("at-min-isr-partitions", "if set when describing topics, only show partitions whose "
                                  "isr count is equal to the configured minimum.")
        ("bootstrap-server", po::value<std::string>(),
         "REQUIRED: The Kafka server to connect to.")
        ("command-config", po::value<std::string>(),
         "Property file containing configs to be passed to Admin Client. This is used only "
         "with --bootstrap-server option for describing and altering broker configs.")
        ("config", po::value<std::vector<std::string>>()->composing(),
         "A topic configuration override for the topic being created (name=value).")
        ("create", "Create a new topic.")
        ("delete", "Delete a topic")
        ("describe", "List details for the given topics.")
        ("exclude-internal", "exclude internal topics when running list or describe command. "
                             "The internal topics will be listed by default")
        ("help", "Print usage information.")
        ("if-exists", "if set when altering or deleting or describing topics, the action will "
                      "only execute if the topic exists.")
        ("if-not-exists", "if set when creating topics, the action will only execute if the "
                          "topic does not already exist.")
        ("list", "List all available topics.")
        ("partitions", po::value<int32_t>(),
         "The number of partitions for the topic being created or altered (WARNING: If "
         "partitions are increased for a topic that has a key, the partition logic or ordering "
         "of the messages will be affected). If not supplied for create, defaults to the "
         "cluster default.")
        ("replica-assignment", po::value<std::string>(),
         "A list of manual partition-to-broker assignments for the topic being created or "
         "altered.")
        ("replication-factor", po::value<int32_t>(),
         "The replication factor for each partition in the topic being created. If not "
         "supplied, defaults to the cluster default.")
        ("topic", po::value<std::string>(),
         "The topic to create, alter, describe or delete. It also accepts a regular "
         "expression, except for --create option. Put topic name in double quotes and use the "
         "'\\' prefix to escape regular expression symbols; e.g. \"test\\.topic\".")
        ("topics-with-overrides", "if set when describing topics, only show topics that have "
                                  "overridden configs")
        ("unavailable-partitions", "if set when describing topics, only show partitions whose "
                                   "leader is not available")
        ("under-min-isr-partitions", "if set when describing topics, only show partitions whose "
                                     "isr count is less than the configured minimum.")
        ("under-replicated-partitions", "if set when describing topics, only show under "
                                        "replicated partitions");
    // clang-format on
    return d;
}

// TopicCommandOptions.checkArgs, the --bootstrap-server half.
void check_args(const po::variables_map& vm) {
    auto has = [&](const char* k) { return vm.count(k) > 0; };
    if (has("create") + has("list") + has("alter") + has("describe") + has("delete") != 1) {
        throw UsageError{
            "Command must include exactly one action: --list, --describe, "
            "--create, --alter or --delete"};
    }
    if (!has("bootstrap-server")) {
        throw UsageError{"--bootstrap-server must be specified"};
    }
    if (has("describe") && has("if-exists")) {
        require_args(vm, {"topic"});
    }
    if (!has("list") && !has("describe")) {
        require_args(vm, {"topic"});
    }
    if (has("alter")) {
        if (has("config")) {
            throw UsageError{
                "Option combination \"[bootstrap-server],[config]\" can't be used "
                "with option \"[alter]\" (the kafka-configs CLI supports altering "
                "topic configs with a --bootstrap-server option)"};
        }
        require_args(vm, {"partitions"});
    }
    forbid_with(vm, "config", {"describe", "list", "delete"});
    forbid_with(vm, "partitions", {"describe", "list", "delete"});
    forbid_with(vm, "replication-factor", {"alter", "describe", "list", "delete"});
    forbid_with(vm, "replica-assignment", {"describe", "list", "delete"});
    if (has("create")) {
        forbid_with(vm, "replica-assignment", {"partitions", "replication-factor"});
    }
    const std::set<std::string> reports = {"under-replicated-partitions",
                                           "under-min-isr-partitions", "at-min-isr-partitions",
                                           "unavailable-partitions"};
    for (const auto& r : reports) {
        forbid_with(vm, r.c_str(), {"alter", "create", "list", "delete", "topics-with-overrides"});
        for (const auto& other : reports) {
            if (other != r) {
                forbid_with(vm, r.c_str(), {other.c_str()});
            }
        }
    }
    forbid_with(vm, "topics-with-overrides", {"alter", "create", "list", "delete"});
    forbid_with(vm, "if-exists", {"create", "list"});
    forbid_with(vm, "if-not-exists", {"alter", "describe", "list", "delete"});
    forbid_with(vm, "exclude-internal", {"alter", "create", "delete"});
}

int32_t parse_int(const std::string& s) {
    const auto first = s.find_first_not_of(' ');
    const auto last = s.find_last_not_of(' ');
    const std::string t = first == std::string::npos ? "" : s.substr(first, last - first + 1);
    int32_t v = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size()) {
        throw UsageError{"For input string: \"" + t + "\""};
    }
    return v;
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const auto at = s.find(sep, start);
        out.push_back(s.substr(start, at - start));
        if (at == std::string::npos) {
            return out;
        }
        start = at + 1;
    }
}

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string::npos) {
        return "";
    }
    return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

void fill(const po::variables_map& vm, TopicsOptions& o) {
    auto has = [&](const char* k) { return vm.count(k) > 0; };
    o.bootstrap_server = vm["bootstrap-server"].as<std::string>();
    if (has("command-config")) {
        o.command_config = vm["command-config"].as<std::string>();
    }
    o.create = has("create");
    o.list = has("list");
    o.describe = has("describe");
    o.alter = has("alter");
    o.remove = has("delete");
    if (has("topic")) {
        o.topic = vm["topic"].as<std::string>();
    }
    if (has("partitions")) {
        o.partitions = vm["partitions"].as<int32_t>();
    }
    if (has("replication-factor")) {
        o.replication_factor = vm["replication-factor"].as<int32_t>();
    }
    if (has("replica-assignment") && !vm["replica-assignment"].as<std::string>().empty()) {
        o.replica_assignment = parse_replica_assignment(vm["replica-assignment"].as<std::string>());
    }
    if (has("config")) {
        for (const auto& c : vm["config"].as<std::vector<std::string>>()) {
            o.configs.push_back(parse_topic_config(c));
        }
    }
    o.if_exists = has("if-exists");
    o.if_not_exists = has("if-not-exists");
    o.exclude_internal = has("exclude-internal");
    o.under_replicated = has("under-replicated-partitions");
    o.unavailable = has("unavailable-partitions");
    o.under_min_isr = has("under-min-isr-partitions");
    o.at_min_isr = has("at-min-isr-partitions");
    o.topics_with_overrides = has("topics-with-overrides");
}

}  // namespace

std::map<int32_t, std::vector<int32_t>> parse_replica_assignment(const std::string& text) {
    std::map<int32_t, std::vector<int32_t>> out;
    const auto partitions = split(text, ',');
    for (std::size_t i = 0; i < partitions.size(); ++i) {
        std::vector<int32_t> brokers;
        std::set<int32_t> seen;
        std::set<int32_t> duplicates;
        for (const auto& b : split(partitions[i], ':')) {
            const int32_t id = parse_int(b);
            if (!seen.insert(id).second) {
                duplicates.insert(id);
            }
            brokers.push_back(id);
        }
        if (!duplicates.empty()) {
            std::string list;
            for (int32_t d : duplicates) {
                list += (list.empty() ? "" : ",") + std::to_string(d);
            }
            throw UsageError{"Partition replica lists may not contain duplicate entries: " + list};
        }
        const auto index = static_cast<int32_t>(i);
        if (index > 0 && brokers.size() != out[0].size()) {
            std::string list;
            for (int32_t b : brokers) {
                list += (list.empty() ? "" : ",") + std::to_string(b);
            }
            // Kafka prints the Array[Int] itself ("[I@1b6d3586"); the ids say more.
            throw UsageError{"Partition " + std::to_string(index) +
                             " has different replication factor: " + list};
        }
        out[index] = std::move(brokers);
    }
    return out;
}

std::pair<std::string, std::string> parse_topic_config(const std::string& text) {
    const auto parts = split(text, '=');
    if (parts.size() != 2) {
        throw UsageError{
            "requirement failed: Invalid topic config: all configs to be added "
            "must be in the format \"key=val\"."};
    }
    return {trim(parts[0]), trim(parts[1])};
}

int parse_topics_options(const tools::Args& args, TopicsOptions& opts) {
    const po::options_description d = describe_options();
    const CommandLine command_line{
        d,
        [&](std::ostream& os) {
            os << "This tool helps to create, delete, describe, or change a topic.\n" << d << "\n";
        },
        "Create, delete, describe, or change a topic.\n"};
    return parse_command_line(args, command_line, [&](const po::variables_map& vm) {
        check_args(vm);
        fill(vm, opts);
    });
}

}  // namespace samsa::admin
