// `samsa-admin log-dirs`: Kafka 2.8's kafka-log-dirs.sh (LogDirsCommand): DescribeLogDirs at
// each broker of --broker-list (default: every live broker), then one JSON document of their
// log directories and the size, lag and future flag of each partition replica in them.

#include "broker/protocol/generated/describe_log_dirs_request.h"
#include "broker/protocol/generated/describe_log_dirs_response.h"
#include "tools/admin/admin_commands.h"
#include "tools/admin/kafka_exceptions.h"
#include "tools/admin/log_dirs.h"
#include "tools/admin/option_checks.h"
#include "tools/admin/tool_support.h"

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include <algorithm>
#include <iostream>
#include <tuple>

namespace samsa::admin {

namespace {

namespace po = boost::program_options;
namespace json = boost::json;

constexpr int16_t kDescribeLogDirsVersion = 1;

po::options_description describe_options() {
    po::options_description d("Options");
    // clang-format off
    d.add_options()
        ("bootstrap-server", po::value<std::string>(),
         "REQUIRED: the server(s) to use for bootstrapping")
        ("broker-list", po::value<std::string>(),
         "The list of brokers to be queried in the form \"0,1,2\". All brokers in the cluster "
         "will be queried if no broker list is specified")
        ("command-config", po::value<std::string>(),
         "Property file containing configs to be passed to Admin Client.")
        ("describe", "Describe the specified log directories on the specified brokers.")
        ("help", "Print usage information.")
        ("topic-list", po::value<std::string>()->default_value(""),
         "The list of topics to be queried in the form \"topic1,topic2,topic3\". All topics "
         "will be queried if no topic list is specified");
    // clang-format on
    return d;
}

struct Options {
    std::string bootstrap_server;
    std::string command_config;
    std::optional<std::vector<int32_t>> brokers;
    std::set<std::string> topics;
};

int32_t broker_id(const std::string& text) {
    try {
        size_t used = 0;
        const int id = std::stoi(text, &used);
        if (used == text.size()) {
            return id;
        }
    } catch (const std::exception&) {
    }
    throw UsageError{"For input string: \"" + text + "\""};
}

int parse(const tools::Args& args, Options& o) {
    const po::options_description d = describe_options();
    const CommandLine command_line{d, [&](std::ostream& os) {
                                       os << "This tool helps to query log directory usage on "
                                             "the specified brokers.\n"
                                          << d << "\n";
                                   }};
    return parse_command_line(args, command_line, [&](const po::variables_map& vm) {
        require_args(vm, {"bootstrap-server", "describe"});
        o.bootstrap_server = vm["bootstrap-server"].as<std::string>();
        if (vm.count("command-config")) {
            o.command_config = vm["command-config"].as<std::string>();
        }
        if (vm.count("broker-list")) {
            o.brokers.emplace();
            for (const auto& b : split_list(vm["broker-list"].as<std::string>())) {
                o.brokers->push_back(broker_id(b));
            }
        }
        for (const auto& t : split_list(vm["topic-list"].as<std::string>())) {
            o.topics.insert(t);
        }
    });
}

BrokerLogDirs describe_broker(AdminClient& client, const BrokerNode& node) {
    protocol::DescribeLogDirsRequestData request;
    request.topics.reset();  // null: every partition
    auto response = expect(client.send_to_node<protocol::DescribeLogDirsResponseData>(
                               node.id, node.host, node.port, request, kDescribeLogDirsVersion),
                           client);
    BrokerLogDirs out{node.id, {}};
    for (const auto& r : response.results) {
        LogDirInfo dir{r.log_dir, std::nullopt, {}};
        if (r.error_code != 0) {
            dir.error = "org.apache.kafka.common.errors." + exception_class(r.error_code);
        }
        for (const auto& t : r.topics) {
            for (const auto& p : t.partitions) {
                dir.replicas.push_back(
                    {t.name, p.partition_index, p.partition_size, p.offset_lag, p.is_future_key});
            }
        }
        out.log_dirs.push_back(std::move(dir));
    }
    return out;
}

int describe(AdminClient& client, const Options& o) {
    const ClusterMetadata metadata = fetch_metadata(client, std::vector<std::string>{});
    std::vector<int32_t> ids;
    if (o.brokers) {
        ids = *o.brokers;
    } else {
        for (const auto& b : metadata.brokers) {
            ids.push_back(b.id);
        }
    }
    std::cout << "Querying brokers for log directories information\n" << std::flush;
    std::vector<BrokerLogDirs> answers;
    for (const int32_t id : ids) {
        const auto node = std::find_if(metadata.brokers.begin(), metadata.brokers.end(),
                                       [&](const BrokerNode& b) { return b.id == id; });
        if (node == metadata.brokers.end()) {
            throw ToolError{
                "java.util.concurrent.ExecutionException: "
                "org.apache.kafka.common.errors.TimeoutException: broker " +
                std::to_string(id) + " is not in the cluster"};
        }
        answers.push_back(describe_broker(client, *node));
    }
    std::cout << "Received log directory information from brokers " << join_ids(ids) << "\n"
              << log_dirs_json(std::move(answers), o.topics) << "\n";
    return 0;
}

}  // namespace

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::string current;
    for (const char c : text + ",") {
        if (c == ',') {
            if (!current.empty()) {
                out.push_back(current);
            }
            current.clear();
        } else {
            current += c;
        }
    }
    return out;
}

std::string log_dirs_json(std::vector<BrokerLogDirs> brokers, const std::set<std::string>& topics) {
    std::sort(brokers.begin(), brokers.end(),
              [](const BrokerLogDirs& a, const BrokerLogDirs& b) { return a.broker < b.broker; });
    json::array broker_array;
    for (auto& b : brokers) {
        json::array dirs;
        for (auto& d : b.log_dirs) {
            std::sort(d.replicas.begin(), d.replicas.end(), [](const auto& x, const auto& y) {
                return std::tie(x.topic, x.partition) < std::tie(y.topic, y.partition);
            });
            json::array partitions;
            for (const auto& r : d.replicas) {
                if (!topics.empty() && !topics.contains(r.topic)) {
                    continue;
                }
                json::object p;
                p["partition"] = r.topic + "-" + std::to_string(r.partition);
                p["size"] = r.size;
                p["offsetLag"] = r.offset_lag;
                p["isFuture"] = r.is_future;
                partitions.push_back(std::move(p));
            }
            json::object dir;
            dir["logDir"] = d.path;
            dir["error"] = d.error ? json::value(*d.error) : json::value(nullptr);
            dir["partitions"] = std::move(partitions);
            dirs.push_back(std::move(dir));
        }
        json::object broker;
        broker["broker"] = b.broker;
        broker["logDirs"] = std::move(dirs);
        broker_array.push_back(std::move(broker));
    }
    json::object doc;
    doc["version"] = 1;
    doc["brokers"] = std::move(broker_array);
    return json::serialize(doc);
}

int run_log_dirs(const tools::Args& args) {
    Options opts;
    try {
        if (int rc = parse(args, opts); rc >= 0) {
            return rc;
        }
        AdminClient client = make_admin_client(opts.bootstrap_server, opts.command_config);
        return describe(client, opts);
    } catch (const ToolError& e) {
        std::cerr << "Error: " << e.message << "\n";
        return 1;
    }
}

}  // namespace samsa::admin
