// `samsa-admin delete-records`: Kafka 2.8's kafka-delete-records.sh (DeleteRecordsCommand):
// moves each listed partition's log start offset up to the given offset (-1: the high
// watermark) with DeleteRecords at the partition's leader, and prints the new low watermarks.

#include "broker/protocol/error_code.h"
#include "broker/protocol/generated/delete_records_request.h"
#include "broker/protocol/generated/delete_records_response.h"
#include "tools/admin/admin_commands.h"
#include "tools/admin/delete_records.h"
#include "tools/admin/kafka_exceptions.h"
#include "tools/admin/option_checks.h"
#include "tools/admin/tool_support.h"

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

namespace samsa::admin {

namespace {

namespace po = boost::program_options;
namespace json = boost::json;

constexpr int16_t kDeleteRecordsVersion = 1;
constexpr int32_t kTimeoutMs = 30000;  // the admin client's default request timeout

po::options_description describe_options() {
    po::options_description d("Options");
    // clang-format off
    d.add_options()
        ("bootstrap-server", po::value<std::string>(), "REQUIRED: The server to connect to.")
        ("command-config", po::value<std::string>(),
         "A property file containing configs to be passed to Admin Client.")
        ("help", "Print usage information.")
        ("offset-json-file", po::value<std::string>(),
         "REQUIRED: The JSON file with offset per partition. The format to use is:\n"
         "{\"partitions\":\n  [{\"topic\": \"foo\", \"partition\": 1, \"offset\": 1}],\n"
         " \"version\":1\n}");
    // clang-format on
    return d;
}

struct Options {
    std::string bootstrap_server;
    std::string command_config;
    std::string offset_json_file;
};

int parse(const tools::Args& args, Options& o) {
    const po::options_description d = describe_options();
    const CommandLine command_line{d, [&](std::ostream& os) {
                                       os << "This tool helps to delete records of the given "
                                             "partitions down to the specified offset.\n"
                                          << d << "\n";
                                   }};
    return parse_command_line(args, command_line, [&](const po::variables_map& vm) {
        require_args(vm, {"bootstrap-server", "offset-json-file"});
        o.bootstrap_server = vm["bootstrap-server"].as<std::string>();
        o.offset_json_file = vm["offset-json-file"].as<std::string>();
        if (vm.count("command-config")) {
            o.command_config = vm["command-config"].as<std::string>();
        }
    });
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw ToolError{"java.nio.file.NoSuchFileException: " + path};
    }
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

using TopicPartition = std::pair<std::string, int32_t>;

struct Outcome {
    std::optional<int64_t> low_watermark;
    std::string error;
};

// DeleteRecords to each leader, its partitions in one request, as the admin client batches them.
std::map<TopicPartition, Outcome> delete_records(AdminClient& client,
                                                 const std::vector<RecordsToDelete>& records) {
    std::vector<std::string> topics;
    for (const auto& r : records) {
        topics.push_back(r.topic);
    }
    const ClusterMetadata metadata = fetch_metadata(client, topics);
    std::map<TopicPartition, Outcome> out;
    std::map<int32_t, protocol::DeleteRecordsRequestData> by_leader;
    for (const auto& r : records) {
        const TopicPartition tp{r.topic, r.partition};
        const auto t = metadata.topics.find(r.topic);
        const PartitionInfo* p = nullptr;
        if (t != metadata.topics.end() && t->second.error_code == 0) {
            for (const auto& candidate : t->second.partitions) {
                p = candidate.partition == r.partition ? &candidate : p;
            }
        }
        if (t == metadata.topics.end() || t->second.error_code != 0) {
            const int16_t code =
                t == metadata.topics.end()
                    ? static_cast<int16_t>(protocol::ErrorCode::unknown_topic_or_partition)
                    : t->second.error_code;
            out[tp].error = kafka_exception_text(code, std::nullopt);
            continue;
        }
        // A partition the topic does not have has no leader (the admin client's answer).
        if (p == nullptr || p->leader < 0) {
            out[tp].error = kafka_exception_text(
                static_cast<int16_t>(protocol::ErrorCode::leader_not_available), std::nullopt);
            continue;
        }
        auto& request = by_leader[p->leader];
        request.timeout_ms = kTimeoutMs;
        auto topic = std::find_if(request.topics.begin(), request.topics.end(),
                                  [&](const auto& x) { return x.name == r.topic; });
        auto& entry = topic != request.topics.end() ? *topic : request.topics.emplace_back();
        entry.name = r.topic;
        auto& partition = entry.partitions.emplace_back();
        partition.partition_index = r.partition;
        partition.offset = r.offset;
    }
    for (const auto& [leader, request] : by_leader) {
        const auto node = std::find_if(metadata.brokers.begin(), metadata.brokers.end(),
                                       [&](const BrokerNode& b) { return b.id == leader; });
        if (node == metadata.brokers.end()) {
            throw ToolError{"the leader " + std::to_string(leader) + " is not a live broker"};
        }
        const auto response =
            expect(client.send_to_node<protocol::DeleteRecordsResponseData>(
                       node->id, node->host, node->port, request, kDeleteRecordsVersion),
                   client);
        for (const auto& t : response.topics) {
            for (const auto& p : t.partitions) {
                Outcome& o = out[{t.name, p.partition_index}];
                if (p.error_code == 0) {
                    o.low_watermark = p.low_watermark;
                } else {
                    o.error = kafka_exception_text(p.error_code, std::nullopt);
                }
            }
        }
    }
    return out;
}

int execute(AdminClient& client, const Options& o) {
    const auto records = parse_offset_json(read_file(o.offset_json_file));
    std::cout << "Executing records delete operation\n" << std::flush;
    const auto outcomes = delete_records(client, records);
    std::cout << "Records delete operation completed:\n";
    for (const auto& [tp, outcome] : outcomes) {
        std::cout << delete_records_line(tp.first, tp.second, outcome.low_watermark, outcome.error)
                  << "\n";
    }
    return 0;
}

}  // namespace

std::vector<RecordsToDelete> parse_offset_json(const std::string& text) {
    json::value doc;
    try {
        doc = json::parse(text);
    } catch (const std::exception&) {
        throw ToolError{"The input string is not a valid JSON"};
    }
    std::vector<RecordsToDelete> out;
    try {
        const auto& object = doc.as_object();
        const int version = object.contains("version") ? json::value_to<int>(object.at("version"))
                                                       : 1;  // EarliestVersion
        if (version != 1) {
            throw ToolError{"Not supported version field value " + std::to_string(version)};
        }
        if (!object.contains("partitions")) {
            throw ToolError{"Missing partitions field"};
        }
        for (const auto& p : object.at("partitions").as_array()) {
            out.push_back({json::value_to<std::string>(p.at("topic")),
                           json::value_to<int32_t>(p.at("partition")),
                           json::value_to<int64_t>(p.at("offset"))});
        }
    } catch (const std::exception& e) {
        throw ToolError{std::string("Invalid offset JSON: ") + e.what()};
    }
    std::set<TopicPartition> seen;
    std::set<TopicPartition> duplicates;
    for (const auto& r : out) {
        if (!seen.insert({r.topic, r.partition}).second) {
            duplicates.insert({r.topic, r.partition});
        }
    }
    if (!duplicates.empty()) {
        std::string list;
        for (const auto& [t, p] : duplicates) {
            list += (list.empty() ? "" : ",") + t + "-" + std::to_string(p);
        }
        throw ToolError{"Offset json file contains duplicate topic partitions: " + list};
    }
    return out;
}

std::string delete_records_line(const std::string& topic, int32_t partition,
                                std::optional<int64_t> low_watermark, const std::string& error) {
    const std::string tp = "partition: " + topic + "-" + std::to_string(partition) + "\t";
    return low_watermark ? tp + "low_watermark: " + std::to_string(*low_watermark)
                         : tp + "error: " + error;
}

int run_delete_records(const tools::Args& args) {
    Options opts;
    try {
        if (int rc = parse(args, opts); rc >= 0) {
            return rc;
        }
        AdminClient client = make_admin_client(opts.bootstrap_server, opts.command_config);
        return execute(client, opts);
    } catch (const ToolError& e) {
        std::cerr << "Error: " << e.message << "\n";
        return 1;
    }
}

}  // namespace samsa::admin
