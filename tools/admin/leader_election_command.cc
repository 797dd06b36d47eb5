// `samsa-admin leader-election`: Kafka 2.8's kafka-leader-election.sh
// (LeaderElectionCommand): ElectLeaders v1 at the controller for every partition, the ones
// named by --topic/--partition, or those of a JSON file, with its checks and output.

#include "broker/protocol/error_code.h"
#include "broker/protocol/generated/elect_leaders_request.h"
#include "broker/protocol/generated/elect_leaders_response.h"
#include "tools/admin/admin_commands.h"
#include "tools/admin/option_checks.h"
#include "tools/admin/tool_support.h"

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

namespace samsa::admin {

namespace {

namespace po = boost::program_options;
namespace json = boost::json;
using TopicPartition = std::pair<std::string, int32_t>;

constexpr int16_t kElectLeadersVersion = 1;  // the first with an election type

po::options_description describe_options() {
    po::options_description d("Options");
    // clang-format off
    d.add_options()
        ("admin.config", po::value<std::string>(),
         "Configuration properties files to pass to the admin client")
        ("command-config", po::value<std::string>(), "The same as --admin.config.")
        ("all-topic-partitions", "Perform election on all of the eligible topic partitions "
                                 "based on the type of election (see the --election-type flag). "
                                 "Not allowed if --topic or --path-to-json-file is specified.")
        ("bootstrap-server", po::value<std::string>(),
         "A hostname and port for the broker to connect to, in the form host:port. Multiple "
         "comma separated URLs can be given. REQUIRED.")
        ("election-type", po::value<std::string>(),
         "Type of election to attempt. Possible values are \"preferred\" for preferred leader "
         "election or \"unclean\" for unclean leader election. If preferred election is "
         "selection, the election is only performed if the current leader is not the "
         "preferred leader for the topic partition. If unclean election is selected, the "
         "election is only performed if there are no leader for the topic partition. REQUIRED.")
        ("help", "Print usage information.")
        ("partition", po::value<int32_t>(),
         "Partition id for which to perform an election. REQUIRED if --topic is specified.")
        ("path-to-json-file", po::value<std::string>(),
         "The JSON file with the list of partition for which leader elections should be "
         "performed. This is an example format. \n{\"partitions\":\n\t[{\"topic\": \"foo\", "
         "\"partition\": 1},\n\t {\"topic\": \"foobar\", \"partition\": 2}]\n}\nNot allowed "
         "if --all-topic-partitions or --topic flags are specified.")
        ("topic", po::value<std::string>(),
         "Name of topic for which to perform an election. Not allowed if --path-to-json-file "
         "or --all-topic-partitions is specified.");
    // clang-format on
    return d;
}

struct Options {
    std::string bootstrap_server;
    std::string config;
    int8_t election_type = 0;                               // 0 preferred, 1 unclean
    std::optional<std::vector<TopicPartition>> partitions;  // nullopt: all
};

// LeaderElectionCommandOptions.validate.
void validate(const po::variables_map& vm) {
    auto has = [&](const char* k) { return vm.count(k) > 0; };
    std::string missing;
    if (!has("election-type")) {
        missing = "election-type";
    }
    if (!has("bootstrap-server")) {
        missing += std::string(missing.empty() ? "" : ", ") + "bootstrap-server";
    }
    if (!missing.empty()) {
        throw UsageError{"Missing required option(s): " + missing};
    }
    if (has("topic") + has("all-topic-partitions") + has("path-to-json-file") != 1) {
        throw UsageError{
            "One and only one of the following options is required: topic, "
            "all-topic-partitions, path-to-json-file"};
    }
    if (has("topic") && !has("partition")) {
        throw UsageError{"Missing required option(s): partition"};
    }
    if (!has("topic") && has("partition")) {
        throw UsageError{"Option partition is only allowed if topic is used"};
    }
}

// {"partitions": [{"topic": "foo", "partition": 1}, ...]} (TopicPartitionsJson).
std::vector<TopicPartition> read_partitions_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw ToolError{"Cannot read " + path};
    }
    std::stringstream text;
    text << in.rdbuf();
    std::vector<TopicPartition> out;
    try {
        const json::value doc = json::parse(text.str());
        for (const auto& p : doc.at("partitions").as_array()) {
            out.emplace_back(json::value_to<std::string>(p.at("topic")),
                             json::value_to<int32_t>(p.at("partition")));
        }
    } catch (const std::exception& e) {
        throw ToolError{"Invalid JSON in " + path + ": " + e.what()};
    }
    std::set<TopicPartition> seen;
    std::set<TopicPartition> duplicates;
    for (const auto& tp : out) {
        if (!seen.insert(tp).second) {
            duplicates.insert(tp);
        }
    }
    if (!duplicates.empty()) {
        std::string list;
        for (const auto& [t, p] : duplicates) {
            list += (list.empty() ? "" : ",") + t + "-" + std::to_string(p);
        }
        throw ToolError{"Replica election data contains duplicate partitions: " + list};
    }
    return out;
}

int parse(const tools::Args& args, Options& o) {
    const po::options_description d = describe_options();
    const CommandLine command_line{
        d,
        [&](std::ostream& os) {
            os << "This tool attempts to elect a new leader for a set of topic partitions. The "
                  "type of elections supported are preferred replicas and unclean replicas.\n"
               << d << "\n";
        },
        {},
        "Error: "};
    return parse_command_line(args, command_line, [&](const po::variables_map& vm) {
        validate(vm);
        o.bootstrap_server = vm["bootstrap-server"].as<std::string>();
        for (const char* k : {"admin.config", "command-config"}) {
            if (vm.count(k)) {
                o.config = vm[k].as<std::string>();
            }
        }
        std::string type = vm["election-type"].as<std::string>();
        std::transform(type.begin(), type.end(), type.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        if (type != "PREFERRED" && type != "UNCLEAN") {
            throw UsageError{"No enum constant org.apache.kafka.common.ElectionType." + type};
        }
        o.election_type = type == "PREFERRED" ? 0 : 1;
        if (vm.count("topic")) {
            o.partitions = std::vector<TopicPartition>{
                {vm["topic"].as<std::string>(), vm["partition"].as<int32_t>()}};
        } else if (vm.count("path-to-json-file")) {
            o.partitions = read_partitions_file(vm["path-to-json-file"].as<std::string>());
        }
    });
}

// The Kafka exception a per-partition error becomes, as its toString prints it.
std::string exception_text(int16_t code, const std::optional<std::string>& message) {
    using E = protocol::ErrorCode;
    std::string name;
    switch (static_cast<E>(code)) {
        case E::unknown_topic_or_partition:
            name = "UnknownTopicOrPartitionException";
            break;
        case E::preferred_leader_not_available:
            name = "PreferredLeaderNotAvailableException";
            break;
        case E::eligible_leaders_not_available:
            name = "EligibleLeadersNotAvailableException";
            break;
        case E::not_controller:
            name = "NotControllerException";
            break;
        case E::cluster_authorization_failed:
            name = "ClusterAuthorizationException";
            break;
        case E::invalid_topic_exception:
            name = "InvalidTopicException";
            break;
        case E::request_timed_out:
            name = "TimeoutException";
            break;
        default:
            name = "UnknownServerException";
            break;
    }
    return "org.apache.kafka.common.errors." + name + ": " + error_message(code, message);
}

std::string tp_list(const std::vector<TopicPartition>& tps) {
    std::string out;
    for (const auto& [t, p] : tps) {
        out += (out.empty() ? "" : ", ") + t + "-" + std::to_string(p);
    }
    return out;
}

int elect(AdminClient& client, const Options& o) {
    protocol::ElectLeadersRequestData request;
    request.election_type = o.election_type;
    request.timeout_ms = 30000;
    if (o.partitions) {
        request.topic_partitions =
            std::vector<protocol::ElectLeadersRequestData::TopicPartitions>{};
        for (const auto& [topic, partition] : *o.partitions) {
            auto& list = *request.topic_partitions;
            auto it = std::find_if(list.begin(), list.end(),
                                   [&](const auto& t) { return t.topic == topic; });
            if (it == list.end()) {
                list.emplace_back();
                list.back().topic = topic;
                it = list.end() - 1;
            }
            it->partition_id.push_back(partition);
        }
    } else {
        request.topic_partitions = std::nullopt;
    }
    auto sent = client.send_to_controller<protocol::ElectLeadersResponseData>(request,
                                                                              kElectLeadersVersion);
    if (!sent) {
        std::cout << "Error while making request\n";
        throw ToolError{"cannot reach the controller: " + sent.error().message()};
    }
    const auto& response = sent.value();
    if (response.error_code ==
        static_cast<int16_t>(protocol::ErrorCode::cluster_authorization_failed)) {
        std::cout << "Not authorized to perform leader election\n";
        return 1;
    }
    if (response.error_code != 0) {
        throw ToolError{error_message(response.error_code, std::nullopt)};
    }
    const std::string type = o.election_type == 0 ? "PREFERRED" : "UNCLEAN";
    std::vector<TopicPartition> succeeded, noop;
    std::vector<std::pair<TopicPartition, std::string>> failed;
    for (const auto& t : response.replica_election_results) {
        for (const auto& p : t.partition_result) {
            const TopicPartition tp{t.topic, p.partition_id};
            if (p.error_code == 0) {
                succeeded.push_back(tp);
            } else if (p.error_code ==
                       static_cast<int16_t>(protocol::ErrorCode::election_not_needed)) {
                noop.push_back(tp);
            } else {
                failed.emplace_back(tp, exception_text(p.error_code, p.error_message));
            }
        }
    }
    std::sort(succeeded.begin(), succeeded.end());
    std::sort(noop.begin(), noop.end());
    std::sort(failed.begin(), failed.end());
    if (!succeeded.empty()) {
        std::cout << "Successfully completed leader election (" << type << ") for partitions "
                  << tp_list(succeeded) << "\n";
    }
    if (!noop.empty()) {
        std::cout << "Valid replica already elected for partitions " << tp_list(noop) << "\n";
    }
    for (const auto& [tp, text] : failed) {
        std::cout << "Error completing leader election (" << type << ") for partition: " << tp.first
                  << "-" << tp.second << ": " << text << "\n";
    }
    if (!failed.empty()) {
        std::cerr << "Error: " << failed.size() << " replica(s) could not be elected\n";
        return 1;
    }
    return 0;
}

}  // namespace

int run_leader_election(const tools::Args& args) {
    Options opts;
    try {
        if (int rc = parse(args, opts); rc >= 0) {
            return rc;
        }
        AdminClient client = make_admin_client(opts.bootstrap_server, opts.config);
        return elect(client, opts);
    } catch (const ToolError& e) {
        std::cerr << "Error: " << e.message << "\n";
        return 1;
    }
}

}  // namespace samsa::admin
