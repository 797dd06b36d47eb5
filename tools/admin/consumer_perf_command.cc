// `samsa-admin consumer-perf-test`: Kafka 2.8's kafka-consumer-perf-test.sh
// (ConsumerPerformance): consumes --messages records of --topic in a group (perf-consumer-<n>
// unless --group), from the earliest offset unless --from-latest, and prints the header and
// the summary row (or a row per --reporting-interval with --show-detailed-stats).

#include "tools/admin/client_commands.h"
#include "tools/admin/client_formats.h"
#include "tools/admin/client_tool_config.h"
#include "tools/admin/option_checks.h"

#include <boost/program_options.hpp>

#include <iostream>
#include <random>

namespace samsa::admin {

namespace {

namespace po = boost::program_options;

int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

po::options_description perf_options() {
    po::options_description d("Option");
    // clang-format off
    d.add_options()
        ("bootstrap-server", po::value<std::string>(), "REQUIRED unless --broker-list"
         "(deprecated) is specified. The server(s) to connect to.")
        ("broker-list", po::value<std::string>(), "DEPRECATED, use --bootstrap-server instead; "
         "ignored if --bootstrap-server is specified.  The broker list string in the form "
         "HOST1:PORT1,HOST2:PORT2.")
        ("consumer.config", po::value<std::string>(), "Consumer config properties file.")
        ("date-format", po::value<std::string>(), "The date format to use for formatting the "
         "time field. See java.text.SimpleDateFormat for options. (default: yyyy-MM-dd "
         "HH:mm:ss:SSS)")
        ("fetch-size", po::value<int32_t>()->default_value(1048576), "The amount of data to "
         "fetch in a single request.")
        ("from-latest", "If the consumer does not already have an established offset to consume "
         "from, start with the latest message present in the log rather than the earliest "
         "message.")
        ("group", po::value<std::string>(), "The group id to consume on. (default: "
         "perf-consumer-<random>)")
        ("help", "Print usage information.")
        ("hide-header", "If set, skips printing the header for the stats")
        ("messages", po::value<int64_t>(), "REQUIRED: The number of messages to send or "
         "consume")
        ("num-fetch-threads", po::value<int32_t>(), "Number of fetcher threads. (default: 1)")
        ("print-metrics", "Print out the metrics.")
        ("reporting-interval", po::value<int64_t>()->default_value(5000), "Interval in "
         "milliseconds at which to print progress info.")
        ("show-detailed-stats", "If set, stats are reported for each reporting interval as "
         "configured by reporting-interval")
        ("socket-buffer-size", po::value<int32_t>(), "The size of the tcp RECV size. (default: "
         "2097152)")
        ("threads", po::value<int32_t>(), "Number of processing threads. (default: 10)")
        ("timeout", po::value<int64_t>()->default_value(10000), "The maximum allowed time in "
         "milliseconds between returned records.")
        ("topic", po::value<std::string>(), "REQUIRED: The topic to consume from.");
    // clang-format on
    return d;
}

void check(const po::variables_map& vm) {
    if (!vm.count("bootstrap-server") && !vm.count("broker-list")) {
        throw UsageError{"Missing required option(s) [bootstrap-server]"};
    }
    require_args(vm, {"topic", "messages"});
    if (vm["reporting-interval"].as<int64_t>() <= 0) {
        throw UsageError{"Reporting interval must be greater than 0."};
    }
    if (vm.count("date-format") &&
        vm["date-format"].as<std::string>() != "yyyy-MM-dd HH:mm:ss:SSS") {
        throw UsageError{"Only the date format yyyy-MM-dd HH:mm:ss:SSS is supported."};
    }
}

int run_test(const po::variables_map& vm) {
    const std::string file =
        vm.count("consumer.config") ? vm["consumer.config"].as<std::string>() : "";
    auto props = client::merge_properties(file, {});
    std::random_device rd;
    props["group.id"] = vm.count("group") ? vm["group"].as<std::string>()
                                          : "perf-consumer-" + std::to_string(rd() % 100000);
    props["max.partition.fetch.bytes"] = std::to_string(vm["fetch-size"].as<int32_t>());
    props["auto.offset.reset"] = vm.count("from-latest") ? "latest" : "earliest";
    const std::string bootstrap = vm.count("bootstrap-server")
                                      ? vm["bootstrap-server"].as<std::string>()
                                      : vm["broker-list"].as<std::string>();
    auto connection = client::connection_config(bootstrap, file, props, "perf-consumer-client");
    const bool detailed = vm.count("show-detailed-stats") > 0;
    const int64_t count = vm["messages"].as<int64_t>();
    const int64_t timeout = vm["timeout"].as<int64_t>();
    const int64_t interval = vm["reporting-interval"].as<int64_t>();
    if (!vm.count("hide-header")) {
        std::cout << client::consumer_perf_header(detailed) << std::endl;
    }

    client::Consumer consumer(client::consumer_config(std::move(connection), props));
    const int64_t start = wall_ms();
    consumer.subscribe({vm["topic"].as<std::string>()});
    int64_t messages = 0, bytes = 0, last_messages = 0, last_bytes = 0, last_join = 0;
    int64_t now = start, last_report = start, last_consumed = start;
    while (messages < count && now - last_consumed <= timeout) {
        const auto records = consumer.poll(std::chrono::milliseconds(100));
        now = wall_ms();
        if (!records.empty()) {
            last_consumed = now;
        }
        for (const auto& r : records) {
            ++messages;
            bytes += static_cast<int64_t>(r.key.value_or("").size() + r.value.value_or("").size());
            if (now - last_report >= interval) {
                if (detailed) {
                    const int64_t join = consumer.rebalance_time_ms() - last_join;
                    std::cout << client::consumer_perf_progress(bytes, last_bytes, messages,
                                                                last_messages, last_report, now,
                                                                join)
                              << std::endl;
                }
                last_join = consumer.rebalance_time_ms();
                last_report = now;
                last_messages = messages;
                last_bytes = bytes;
            }
        }
    }
    if (messages < count) {
        std::cout << "WARNING: Exiting before consuming the expected number of messages: timeout ("
                  << timeout << " ms) exceeded. You can use the --timeout option to increase the "
                  << "timeout." << std::endl;
    }
    const int64_t end = wall_ms();
    consumer.close();
    if (!detailed) {
        std::cout << client::consumer_perf_row(start, end, bytes, messages,
                                               consumer.rebalance_time_ms())
                  << std::endl;
    }
    return 0;
}

}  // namespace

int run_consumer_perf_test(const tools::Args& args) {
    const auto options = perf_options();
    const char* summary = "This tool helps in performance test for the full zookeeper consumer\n";
    const CommandLine command_line{
        options, [&](std::ostream& out) { out << summary << options << "\n"; }, summary};
    return parse_and_run(args, command_line, check, run_test,
                         "Exception in thread \"main\" org.apache.kafka.common.KafkaException: ");
}

}  // namespace samsa::admin
