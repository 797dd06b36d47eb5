// `samsa-admin reassign-partitions`: Kafka 2.8's kafka-reassign-partitions.sh with
// --bootstrap-server (ReassignPartitionsCommand): --generate, --execute, --verify, --cancel
// and --list over Metadata, AlterPartitionReassignments and ListPartitionReassignments, with
// its JSON and messages.
//
// Throttles (--throttle, and their removal once --verify sees a reassignment done) would set
// leader/follower.replication.throttled.rate and the topics' *.replication.throttled.replicas,
// which the brokers do not enforce yet (no replication quota manager): --throttle is refused
// rather than set limits nothing obeys, and --verify clears nothing.

#include "broker/api/replica_assignment.h"
#include "broker/protocol/generated/alter_partition_reassignments_request.h"
#include "broker/protocol/generated/alter_partition_reassignments_response.h"
#include "broker/protocol/generated/list_partition_reassignments_request.h"
#include "broker/protocol/generated/list_partition_reassignments_response.h"
#include "tools/admin/admin_commands.h"
#include "tools/admin/option_checks.h"
#include "tools/admin/reassignment_json.h"
#include "tools/admin/tool_support.h"

#include <boost/program_options.hpp>

#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

namespace samsa::admin {

namespace {

namespace po = boost::program_options;
using Request = protocol::AlterPartitionReassignmentsRequestData;

// Kafka's TerseReassignmentFailureException: printed as is, without "Error: ".
struct TerseFailure {
    std::string message;
};

po::options_description describe_options() {
    po::options_description d("Options");
    // clang-format off
    d.add_options()
        ("additional", "Execute this reassignment in addition to any other ongoing ones.")
        ("bootstrap-server", po::value<std::string>(),
         "the server(s) to use for bootstrapping. REQUIRED.")
        ("broker-list", po::value<std::string>(),
         "The list of brokers to which the partitions need to be reassigned in the form "
         "\"0,1,2\". This is required if --topics-to-move-json-file is used to generate "
         "reassignment configuration")
        ("cancel", "Cancel an active reassignment.")
        ("command-config", po::value<std::string>(),
         "Property file containing configs to be passed to Admin Client.")
        ("disable-rack-aware", "Disable rack aware replica assignment")
        ("execute", "Kick off the reassignment as specified by the --reassignment-json-file "
                    "option.")
        ("generate", "Generate a candidate partition reassignment configuration. Note that "
                     "this only generates a candidate assignment, it does not execute it.")
        ("help", "Print usage information.")
        ("list", "List all active partition reassignments.")
        ("preserve-throttles", "Do not modify broker or topic throttles.")
        ("reassignment-json-file", po::value<std::string>(),
         "The JSON file with the partition reassignment configuration.")
        ("throttle", po::value<int64_t>(),
         "Not supported yet (the brokers do not enforce replication throttles).")
        ("timeout", po::value<int64_t>()->default_value(10000),
         "The maximum time in ms to wait for log directory replica assignment to begin.")
        ("topics-to-move-json-file", po::value<std::string>(),
         "Generate a reassignment configuration to move the partitions of the specified topics "
         "to the list of brokers specified by the --broker-list option.")
        ("verify", "Verify if the reassignment completed as specified by the "
                   "--reassignment-json-file option.");
    // clang-format on
    return d;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw ToolError{path + " (No such file or directory)"};
    }
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The replicas each partition of `tps` has now; ToolError for one that does not exist.
ReplicaAssignment current_assignment(AdminClient& client, const std::set<TopicPartition>& tps) {
    std::set<std::string> topics;
    for (const auto& tp : tps) {
        topics.insert(tp.first);
    }
    const auto md = fetch_metadata(client, std::vector<std::string>(topics.begin(), topics.end()));
    ReplicaAssignment out;
    for (const auto& tp : tps) {
        const auto t = md.topics.find(tp.first);
        bool found = false;
        if (t != md.topics.end() && t->second.error_code == 0) {
            for (const auto& p : t->second.partitions) {
                if (p.partition == tp.second) {
                    out[tp] = p.replicas;
                    found = true;
                }
            }
        }
        if (!found) {
            throw ToolError{
                "org.apache.kafka.common.errors.UnknownTopicOrPartitionException: "
                "Unable to find partition: " +
                tp_name(tp)};
        }
    }
    return out;
}

// Ongoing reassignments (of `tps`, or all when empty): partition -> (replicas, adding,
// removing).
struct Ongoing {
    std::vector<int32_t> replicas, adding, removing;
};
std::map<TopicPartition, Ongoing> ongoing(AdminClient& client,
                                          const std::set<TopicPartition>& tps) {
    protocol::ListPartitionReassignmentsRequestData request;
    if (tps.empty()) {
        request.topics = std::nullopt;
    } else {
        request.topics = std::vector<
            protocol::ListPartitionReassignmentsRequestData::ListPartitionReassignmentsTopics>{};
        for (const auto& tp : tps) {
            auto& list = *request.topics;
            if (list.empty() || list.back().name != tp.first) {
                list.emplace_back();
                list.back().name = tp.first;
            }
            list.back().partition_indexes.push_back(tp.second);
        }
    }
    auto response = expect(
        client.send_to_controller<protocol::ListPartitionReassignmentsResponseData>(request, 0),
        client);
    if (response.error_code != 0) {
        throw ToolError{error_message(response.error_code, response.error_message)};
    }
    std::map<TopicPartition, Ongoing> out;
    for (const auto& t : response.topics) {
        for (const auto& p : t.partitions) {
            out[{t.name, p.partition_index}] =
                Ongoing{p.replicas, p.adding_replicas, p.removing_replicas};
        }
    }
    return out;
}

// AlterPartitionReassignments: replicas to move to, or nullopt to cancel. Per-partition
// errors come back keyed by partition.
std::map<TopicPartition, std::string> alter(
    AdminClient& client, const std::map<TopicPartition, std::optional<std::vector<int32_t>>>& m) {
    Request request;
    for (const auto& [tp, replicas] : m) {
        if (request.topics.empty() || request.topics.back().name != tp.first) {
            request.topics.emplace_back();
            request.topics.back().name = tp.first;
        }
        Request::ReassignablePartition p;
        p.partition_index = tp.second;
        p.replicas = replicas;
        request.topics.back().partitions.push_back(std::move(p));
    }
    auto response = expect(
        client.send_to_controller<protocol::AlterPartitionReassignmentsResponseData>(request, 0),
        client);
    std::map<TopicPartition, std::string> errors;
    for (const auto& t : response.responses) {
        for (const auto& p : t.partitions) {
            const int16_t code = response.error_code != 0 ? response.error_code : p.error_code;
            if (code != 0) {
                errors[{t.name, p.partition_index}] = error_message(
                    code, response.error_code != 0 ? response.error_message : p.error_message);
            }
        }
    }
    return errors;
}

std::string tp_names(const std::vector<TopicPartition>& tps) {
    std::string out;
    for (const auto& tp : tps) {
        out += (out.empty() ? "" : ",") + tp_name(tp);
    }
    return out;
}

void generate(AdminClient& client, const po::variables_map& vm) {
    const auto topics =
        parse_topics_to_move(read_file(vm["topics-to-move-json-file"].as<std::string>()));
    const auto brokers = parse_broker_list(vm["broker-list"].as<std::string>());
    const auto md = fetch_metadata(client, topics);
    ReplicaAssignment current;
    for (const auto& topic : topics) {
        const auto t = md.topics.find(topic);
        if (t == md.topics.end() || t->second.error_code != 0) {
            throw ToolError{
                "org.apache.kafka.common.errors.UnknownTopicOrPartitionException: "
                "This server does not host this topic-partition."};
        }
        for (const auto& p : t->second.partitions) {
            current[{topic, p.partition}] = p.replicas;
        }
    }
    // Brokers of the list that are alive, without racks (Metadata does not carry them here).
    std::vector<api::BrokerPlacement> placements;
    for (const auto& b : md.brokers) {
        if (std::find(brokers.begin(), brokers.end(), b.id) != brokers.end()) {
            placements.push_back(api::BrokerPlacement{b.id, std::nullopt});
        }
    }
    ReplicaAssignment proposed;
    for (const auto& topic : topics) {
        const auto& partitions = md.topics.at(topic).partitions;
        if (partitions.empty()) {
            continue;
        }
        const auto rf = static_cast<int32_t>(partitions.front().replicas.size());
        auto outcome = api::assign_replicas_to_brokers(
            placements, static_cast<int32_t>(partitions.size()), rf,
            api::random_assignment_start(static_cast<int32_t>(placements.size())));
        if (outcome.error != protocol::ErrorCode::none) {
            throw ToolError{outcome.message.value_or(
                "Replication factor: " + std::to_string(rf) +
                " larger than available brokers: " + std::to_string(placements.size()) + ".")};
        }
        for (const auto& [partition, replicas] : outcome.assignment) {
            proposed[{topic, partition}] = replicas;
        }
    }
    std::cout << "Current partition replica assignment\n" << format_reassignment(current) << "\n\n";
    std::cout << "Proposed partition reassignment configuration\n"
              << format_reassignment(proposed) << "\n";
}

void execute(AdminClient& client, const po::variables_map& vm) {
    if (vm.count("throttle") || vm.count("replica-alter-log-dirs-throttle")) {
        throw ToolError{
            "--throttle is not supported yet: the brokers do not enforce replication "
            "throttles (leader.replication.throttled.rate, "
            "follower.replication.throttled.rate)"};
    }
    const auto proposed =
        parse_reassignment(read_file(vm["reassignment-json-file"].as<std::string>()));
    if (!vm.count("additional") && !ongoing(client, {}).empty()) {
        throw TerseFailure{
            "Cannot execute because there is an existing partition assignment.  Use "
            "--additional to override this and create a new partition assignment in addition "
            "to the existing one. The --additional flag can also be used to change the throttle "
            "by resubmitting the current reassignment."};
    }
    std::set<TopicPartition> tps;
    std::set<int32_t> wanted_brokers;
    for (const auto& [tp, replicas] : proposed) {
        tps.insert(tp);
        wanted_brokers.insert(replicas.begin(), replicas.end());
    }
    const auto md = fetch_metadata(client, std::vector<std::string>{});
    for (int32_t id : wanted_brokers) {
        if (std::none_of(md.brokers.begin(), md.brokers.end(),
                         [&](const BrokerNode& b) { return b.id == id; })) {
            throw ToolError{"Unknown broker id " + std::to_string(id)};
        }
    }
    const auto current = current_assignment(client, tps);
    std::cout << "Current partition replica assignment\n\n"
              << format_reassignment(current)
              << "\n\nSave this to use as the --reassignment-json-file option during rollback\n";
    std::map<TopicPartition, std::optional<std::vector<int32_t>>> moves(proposed.begin(),
                                                                        proposed.end());
    const auto errors = alter(client, moves);
    if (!errors.empty()) {
        std::string text = "Error reassigning partition(s):";
        for (const auto& [tp, message] : errors) {
            text += "\n" + tp_name(tp) + ": " + message;
        }
        throw TerseFailure{text};
    }
    std::cout << "Successfully started partition reassignment" << (proposed.size() == 1 ? "" : "s")
              << " for " << tp_names(std::vector<TopicPartition>(tps.begin(), tps.end())) << "\n";
}

void verify(AdminClient& client, const po::variables_map& vm) {
    const auto target =
        parse_reassignment(read_file(vm["reassignment-json-file"].as<std::string>()));
    std::set<TopicPartition> tps;
    for (const auto& [tp, replicas] : target) {
        tps.insert(tp);
    }
    const auto moving = ongoing(client, tps);
    const auto current = current_assignment(client, tps);
    std::cout << "Status of partition reassignment:";
    for (const auto& [tp, replicas] : target) {
        if (moving.contains(tp)) {
            std::cout << "\nReassignment of partition " << tp_name(tp) << " is still in progress.";
        } else if (current.at(tp) == replicas) {
            std::cout << "\nReassignment of partition " << tp_name(tp) << " is complete.";
        } else {
            std::cout << "\nThere is no active reassignment of partition " << tp_name(tp)
                      << ", but replica set is " << join_ids(current.at(tp)) << " rather than "
                      << join_ids(replicas) << ".";
        }
    }
    std::cout << "\n";
}

void cancel(AdminClient& client, const po::variables_map& vm) {
    const auto target =
        parse_reassignment(read_file(vm["reassignment-json-file"].as<std::string>()));
    std::set<TopicPartition> tps;
    for (const auto& [tp, replicas] : target) {
        tps.insert(tp);
    }
    std::map<TopicPartition, std::optional<std::vector<int32_t>>> cancels;
    for (const auto& [tp, o] : ongoing(client, tps)) {
        cancels[tp] = std::nullopt;
    }
    if (cancels.empty()) {
        std::cout << "None of the specified partition reassignments are active.\n";
        return;
    }
    const auto errors = alter(client, cancels);
    if (!errors.empty()) {
        std::string text = std::string("Error cancelling partition reassignment") +
                           (errors.size() == 1 ? "" : "s") + " for:";
        for (const auto& [tp, message] : errors) {
            text += "\n" + tp_name(tp) + ": " + message;
        }
        throw TerseFailure{text};
    }
    std::vector<TopicPartition> done;
    for (const auto& [tp, none] : cancels) {
        done.push_back(tp);
    }
    std::cout << "Successfully cancelled partition reassignment" << (done.size() == 1 ? "" : "s")
              << " for: " << tp_names(done) << "\n";
}

void list(AdminClient& client) {
    const auto all = ongoing(client, {});
    if (all.empty()) {
        std::cout << "No partition reassignments found.\n";
        return;
    }
    std::cout << "Current partition reassignments:";
    for (const auto& [tp, o] : all) {
        std::cout << "\n" << tp_name(tp) << ": replicas: " << join_ids(o.replicas) << ".";
        if (!o.adding.empty()) {
            std::cout << " adding: " << join_ids(o.adding) << ".";
        }
        if (!o.removing.empty()) {
            std::cout << " removing: " << join_ids(o.removing) << ".";
        }
    }
    std::cout << "\n";
}

// validateAndParseArgs: the action, then what it requires.
std::string check_args(const po::variables_map& vm) {
    const char* actions[] = {"generate", "execute", "verify", "cancel", "list"};
    std::string action;
    int count = 0;
    for (const char* a : actions) {
        if (vm.count(a)) {
            action = a;
            ++count;
        }
    }
    if (count != 1) {
        throw UsageError{
            "Command must include exactly one action: --generate, --execute, "
            "--verify, --cancel, --list"};
    }
    if (!vm.count("bootstrap-server")) {
        throw UsageError{"Please specify --bootstrap-server"};
    }
    if (action == "generate") {
        require_args(vm, {"topics-to-move-json-file", "broker-list"});
    } else if (action != "list") {
        require_args(vm, {"reassignment-json-file"});
    }
    return action;
}

}  // namespace

int run_reassign_partitions(const tools::Args& args) {
    const po::options_description d = describe_options();
    const CommandLine command_line{
        d, [&](std::ostream& os) {
            os << "This tool helps to move topic partitions between replicas.\n" << d << "\n";
        }};
    po::variables_map vm;
    std::string action;
    if (const int rc = parse_command_line(args, command_line,
                                          [&](const po::variables_map& parsed) {
                                              action = check_args(parsed);
                                              vm = parsed;
                                          });
        rc != -1) {
        return rc;
    }
    try {
        AdminClient client = make_admin_client(
            vm["bootstrap-server"].as<std::string>(),
            vm.count("command-config") ? vm["command-config"].as<std::string>() : "");
        if (action == "generate") {
            generate(client, vm);
        } else if (action == "execute") {
            execute(client, vm);
        } else if (action == "verify") {
            verify(client, vm);
        } else if (action == "cancel") {
            cancel(client, vm);
        } else {
            list(client);
        }
    } catch (const TerseFailure& e) {
        std::cout << e.message << "\n";
        return 1;
    } catch (const ToolError& e) {
        std::cout << "Error: " << e.message << "\n";
        return 1;
    }
    return 0;
}

}  // namespace samsa::admin
