// `samsa-admin producer-perf-test`: Kafka 2.8's kafka-producer-perf-test.sh
// (ProducerPerformance): sends --num-records records of --record-size random uppercase bytes
// (or payloads picked at random from --payload-file) at about --throughput records/s, printing
// a window line every 5 s and the total line with latency percentiles at the end.

#include "tools/admin/client_commands.h"
#include "tools/admin/client_formats.h"
#include "tools/admin/client_tool_config.h"
#include "tools/admin/option_checks.h"

#include <boost/program_options.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

namespace samsa::admin {

namespace {

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

constexpr int64_t kReportingIntervalMs = 5000;

int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

po::options_description perf_options() {
    po::options_description d("optional arguments");
    // clang-format off
    d.add_options()
        ("help,h", "show this help message and exit")
        ("topic", po::value<std::string>(), "produce messages to this topic")
        ("num-records", po::value<int64_t>(), "number of messages to produce")
        ("payload-delimiter", po::value<std::string>()->default_value("\\n"), "provides "
         "delimiter to be used when --payload-file is provided. Defaults to new line. Note that "
         "this parameter will be ignored if --payload-file is not provided.")
        ("throughput", po::value<double>(), "throttle maximum message throughput to "
         "*approximately* THROUGHPUT messages/sec. Set this to -1 to disable throttling.")
        ("producer-props", po::value<std::vector<std::string>>()->multitoken(),
         "kafka producer related configuration properties like bootstrap.servers,client.id "
         "etc. These configs take precedence over those passed via --producer.config.")
        ("producer.config", po::value<std::string>(), "producer config properties file.")
        ("print-metrics", "print out metrics at the end of the test.")
        ("transactional-id", po::value<std::string>(), "The transactionalId to use if "
         "transaction-duration-ms is > 0. Useful when testing the performance of concurrent "
         "transactions.")
        ("transaction-duration-ms", po::value<int64_t>(), "The max age of each transaction. "
         "The commitTransaction will be called after this time has elapsed. Transactions are "
         "only enabled if this value is positive.")
        ("record-size", po::value<int32_t>(), "message size in bytes. Note that you must "
         "provide exactly one of --record-size or --payload-file.")
        ("payload-file", po::value<std::string>(), "file to read the message payloads from. "
         "This works only for UTF-8 encoded text files. Payloads will be read from this file "
         "and a payload will be randomly selected when sending messages. Note that you must "
         "provide exactly one of --record-size or --payload-file.");
    // clang-format on
    return d;
}

void usage(std::ostream& out, const po::options_description& options) {
    out << "usage: producer-performance [-h] --topic TOPIC --num-records NUM-RECORDS\n"
           "                            [--payload-delimiter PAYLOAD-DELIMITER]\n"
           "                            --throughput THROUGHPUT\n"
           "                            [--producer-props PROP-NAME=PROP-VALUE "
           "[PROP-NAME=PROP-VALUE ...]]\n"
           "                            [--producer.config CONFIG-FILE] [--print-metrics]\n"
           "                            [--transactional-id TRANSACTIONAL-ID]\n"
           "                            [--transaction-duration-ms TRANSACTION-DURATION]\n"
           "                            (--record-size RECORD-SIZE | --payload-file PAYLOAD-FILE)\n"
           "\nThis tool is used to verify the producer performance.\n\n"
        << options << "\n";
}

// argparse4j's checks, with its messages.
void check(const po::variables_map& vm) {
    auto has = [&](const char* k) { return vm.count(k) > 0; };
    for (const char* required : {"topic", "num-records", "throughput"}) {
        if (!has(required)) {
            throw UsageError{"argument --" + std::string(required) + " is required"};
        }
    }
    if (has("record-size") && has("payload-file")) {
        throw UsageError{"argument --payload-file: not allowed with argument --record-size"};
    }
    if (!has("record-size") && !has("payload-file")) {
        throw UsageError{"one of the arguments --record-size --payload-file is required"};
    }
    if (!has("producer-props") && !has("producer.config")) {
        throw UsageError{"Either --producer-props or --producer.config must be specified."};
    }
    if (has("transactional-id") || has("transaction-duration-ms")) {
        throw UsageError{"transactions are not supported by samsa-producer-perf-test"};
    }
    for (const auto& p : has("producer-props") ? vm["producer-props"].as<std::vector<std::string>>()
                                               : std::vector<std::string>{}) {
        const auto eq = p.find('=');
        if (eq == std::string::npos || p.find('=', eq + 1) != std::string::npos) {
            throw UsageError{"Invalid property: " + p};
        }
    }
}

// Kafka's ThroughputThrottler: sleeps off the deficit once it reaches 2 ms.
class Throttler {
  public:
    Throttler(double target, int64_t start_ms) : target_(target), start_ms_(start_ms) {}

    bool should_throttle(int64_t sent, int64_t now_ms) const {
        if (target_ < 0) {
            return false;
        }
        const double elapsed = static_cast<double>(now_ms - start_ms_) / 1000.0;
        return elapsed > 0 && static_cast<double>(sent) / elapsed > target_;
    }
    void throttle() {
        if (target_ == 0) {
            std::this_thread::sleep_for(std::chrono::hours(24 * 365));
        }
        deficit_ns_ += static_cast<int64_t>(1e9 / target_);
        if (deficit_ns_ >= 2'000'000) {
            std::this_thread::sleep_for(std::chrono::nanoseconds(deficit_ns_));
            deficit_ns_ = 0;
        }
    }

  private:
    double target_;
    int64_t start_ms_;
    int64_t deficit_ns_ = 0;
};

// ProducerPerformance.Stats.
class Stats {
  public:
    explicit Stats(int64_t num_records)
        : sampling_(std::max<int64_t>(
              1, num_records / std::max<int64_t>(1, std::min<int64_t>(num_records, 500000)))),
          start_(wall_ms()),
          window_start_(start_) {
        latencies_.reserve(static_cast<std::size_t>(num_records / sampling_ + 1));
    }

    void record(int64_t iteration, int32_t latency, int64_t bytes, int64_t now) {
        ++count_;
        bytes_ += bytes;
        total_latency_ += latency;
        max_latency_ = std::max<int64_t>(max_latency_, latency);
        ++window_count_;
        window_bytes_ += bytes;
        window_total_latency_ += latency;
        window_max_latency_ = std::max<int64_t>(window_max_latency_, latency);
        if (iteration % sampling_ == 0) {
            latencies_.push_back(latency);
        }
        if (now - window_start_ >= kReportingIntervalMs) {
            std::cout << client::producer_window_line(window_count_, now - window_start_,
                                                      window_bytes_, window_total_latency_,
                                                      window_max_latency_)
                      << std::endl;
            window_start_ = now;
            window_count_ = window_bytes_ = window_total_latency_ = window_max_latency_ = 0;
        }
    }

    std::string total() const {
        return client::producer_total_line(count_, wall_ms() - start_, bytes_, total_latency_,
                                           max_latency_, latencies_);
    }

  private:
    int64_t sampling_;
    int64_t start_;
    int64_t window_start_;
    std::vector<int32_t> latencies_;
    int64_t count_ = 0, bytes_ = 0, total_latency_ = 0, max_latency_ = 0;
    int64_t window_count_ = 0, window_bytes_ = 0, window_total_latency_ = 0,
            window_max_latency_ = 0;
};

std::vector<std::string> read_payloads(const std::string& path, std::string delimiter) {
    if (delimiter == "\\n") {
        delimiter = "\n";
    }
    std::cout << "Reading payloads from: " << std::filesystem::absolute(path).string() << "\n";
    std::error_code ec;
    if (!std::filesystem::exists(path, ec) || std::filesystem::file_size(path, ec) == 0) {
        throw ToolError{"File does not exist or empty file provided."};
    }
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const std::string all = text.str();
    std::vector<std::string> out;
    std::size_t from = 0;
    while (from <= all.size()) {
        const auto at = all.find(delimiter, from);
        const std::string piece =
            all.substr(from, at == std::string::npos ? std::string::npos : at - from);
        if (!piece.empty()) {
            out.push_back(piece);
        }
        if (at == std::string::npos) {
            break;
        }
        from = at + delimiter.size();
    }
    std::cout << "Number of messages read: " << out.size() << "\n";
    return out;
}

int run_test(const po::variables_map& vm) {
    const std::string topic = vm["topic"].as<std::string>();
    const int64_t num_records = vm["num-records"].as<int64_t>();
    const double throughput = vm["throughput"].as<double>();
    const std::string file =
        vm.count("producer.config") ? vm["producer.config"].as<std::string>() : "";
    const auto overrides = client::parse_key_values(
        vm.count("producer-props") ? vm["producer-props"].as<std::vector<std::string>>()
                                   : std::vector<std::string>{});
    const auto props = client::merge_properties(file, overrides);
    auto connection = client::connection_config("", file, props, "producer-performance");
    client::Producer producer(client::producer_config(std::move(connection), props));

    std::vector<std::string> payloads;
    std::string payload;
    std::mt19937_64 random(0);
    if (vm.count("record-size")) {
        payload.resize(static_cast<std::size_t>(vm["record-size"].as<int32_t>()));
        for (auto& c : payload) {
            c = static_cast<char>('A' + random() % 26);
        }
    } else {
        payloads = read_payloads(vm["payload-file"].as<std::string>(),
                                 vm["payload-delimiter"].as<std::string>());
    }

    Stats stats(num_records);
    const int64_t start = wall_ms();
    Throttler throttler(throughput, start);
    for (int64_t i = 0; i < num_records; ++i) {
        if (!payloads.empty()) {
            payload = payloads[random() % payloads.size()];
        }
        const int64_t send_start = wall_ms();
        const auto bytes = static_cast<int64_t>(payload.size());
        producer.send(topic, std::nullopt, payload,
                      [&, i, send_start, bytes](const client::RecordMetadata& md) {
                          if (md.error_code != 0) {
                              std::cerr << "org.apache.kafka.common.KafkaException: " << md.error
                                        << "\n";
                              return;
                          }
                          const int64_t now = wall_ms();
                          stats.record(i, static_cast<int32_t>(now - send_start), bytes, now);
                      });
        if (throttler.should_throttle(i, send_start)) {
            producer.poll();  // what waits goes out while this thread sleeps
            throttler.throttle();
        }
    }
    producer.flush();
    std::cout << stats.total() << std::endl;
    return 0;
}

}  // namespace

int run_producer_perf_test(const tools::Args& args) {
    const auto options = perf_options();
    const CommandLine command_line{options, [&](std::ostream& out) { usage(out, options); }, "",
                                   "producer-performance: error: "};
    if (args.empty()) {
        usage(std::cout, options);
        return 0;
    }
    return parse_and_run(args, command_line, check, run_test,
                         "Exception in thread \"main\" org.apache.kafka.common.KafkaException: ");
}

}  // namespace samsa::admin
