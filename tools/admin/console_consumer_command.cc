// `samsa-admin console-consumer`: Kafka 2.8's kafka-console-consumer.sh. Subscribes to --topic
// in a group (--group, or console-consumer-<random> with auto-commit off, as Kafka does), or
// reads one --partition from --offset; prints each record with DefaultMessageFormatter's
// --property settings and, at exit, "Processed a total of N messages" on stderr.

#include "tools/admin/client_commands.h"
#include "tools/admin/client_formats.h"
#include "tools/admin/client_tool_config.h"
#include "tools/admin/option_checks.h"

#include <boost/program_options.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <iostream>
#include <random>
#include <set>

namespace samsa::admin {

namespace {

namespace po = boost::program_options;

std::atomic<bool> g_stop{false};

void on_signal(int) {
    g_stop = true;
}

po::options_description consumer_options() {
    po::options_description d("Option");
    auto many = [] { return po::value<std::vector<std::string>>()->composing(); };
    // clang-format off
    d.add_options()
        ("bootstrap-server", po::value<std::string>(), "REQUIRED: The server(s) to connect to.")
        ("consumer-property", many(), "A mechanism to pass user-defined properties in the form "
         "key=value to the consumer.")
        ("consumer.config", po::value<std::string>(), "Consumer config properties file. Note "
         "that [consumer-property] takes precedence over this config.")
        ("enable-systest-events", "Log lifecycle events of the consumer in addition to logging "
         "consumed messages. (This is specific for system tests.)")
        ("formatter", po::value<std::string>(), "The name of a class to use for formatting kafka "
         "messages for display. (default: kafka.tools.DefaultMessageFormatter)")
        ("from-beginning", "If the consumer does not already have an established offset to "
         "consume from, start with the earliest message present in the log rather than the "
         "latest message.")
        ("group", po::value<std::string>(), "The consumer group id of the consumer.")
        ("help", "Print usage information.")
        ("isolation-level", po::value<std::string>(), "Set to read_committed in order to filter "
         "out transactional messages which are not committed. Set to read_uncommitted to read "
         "all messages. (default: read_uncommitted)")
        ("key-deserializer", po::value<std::string>(), "")
        ("max-messages", po::value<int32_t>(), "The maximum number of messages to consume before "
         "exiting. If not set, consumption is continual.")
        ("offset", po::value<std::string>(), "The offset id to consume from (a non-negative "
         "number), or 'earliest' which means from beginning, or 'latest' which means from end "
         "(default: latest)")
        ("partition", po::value<int32_t>(), "The partition to consume from. Consumption starts "
         "from the end of the partition unless '--offset' is specified.")
        ("property", many(), "The properties to initialize the message formatter. Default "
         "properties include:\n\tprint.timestamp=true|false\n\tprint.key=true|false\n"
         "\tprint.offset=true|false\n\tprint.partition=true|false\n\tprint.headers=true|false\n"
         "\tprint.value=true|false\n\tkey.separator=<key.separator>\n"
         "\tline.separator=<line.separator>\n\theaders.separator=<line.separator>\n"
         "\tnull.literal=<null.literal>")
        ("skip-message-on-error", "If there is an error when processing a message, skip it "
         "instead of halt.")
        ("timeout-ms", po::value<int32_t>(), "If specified, exit if no message is available for "
         "consumption for the specified interval.")
        ("topic", po::value<std::string>(), "The topic id to consume on.")
        ("value-deserializer", po::value<std::string>(), "")
        ("whitelist", po::value<std::string>(), "Regular expression specifying whitelist of "
         "topics to include for consumption.");
    // clang-format on
    return d;
}

// ConsoleConsumer.ConsumerConfig's checks.
void check(const po::variables_map& vm) {
    auto has = [&](const char* k) { return vm.count(k) > 0; };
    require_args(vm, {"bootstrap-server"});
    if (has("topic") + has("whitelist") != 1) {
        throw UsageError{"Exactly one of whitelist/topic is required."};
    }
    if (has("whitelist")) {
        throw UsageError{"--whitelist is not supported by samsa-console-consumer; use --topic."};
    }
    if (has("partition")) {
        if (!has("topic")) {
            throw UsageError{"The topic is required when partition is specified."};
        }
        if (has("from-beginning") && has("offset")) {
            throw UsageError{"Options from-beginning and offset cannot be specified together."};
        }
    } else if (has("offset")) {
        throw UsageError{"The partition is required when offset is specified."};
    }
    if (has("offset") && !console_consumer_offset(vm["offset"].as<std::string>())) {
        throw UsageError{"The provided offset value '" + vm["offset"].as<std::string>() +
                         "' is incorrect. Valid values are 'earliest', 'latest', or a "
                         "non-negative long."};
    }
    if (has("formatter") &&
        vm["formatter"].as<std::string>() != "kafka.tools.DefaultMessageFormatter") {
        throw UsageError{"Only kafka.tools.DefaultMessageFormatter is supported."};
    }
}

// log4j's %d: "yyyy-MM-dd HH:mm:ss,SSS" in local time.
std::string log_time() {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    std::string s = client::perf_date(ms);
    s[s.size() - 4] = ',';
    return s;
}

struct Setup {
    client::ConsumerConfig config;
    bool group_given = false;
};

Setup consumer_setup(const po::variables_map& vm) {
    auto strings = [&](const char* k) {
        return vm.count(k) ? vm[k].as<std::vector<std::string>>() : std::vector<std::string>{};
    };
    const std::string file =
        vm.count("consumer.config") ? vm["consumer.config"].as<std::string>() : "";
    const auto file_props = client::merge_properties(file, {});
    const auto extra = client::parse_key_values(strings("consumer-property"));
    auto props = client::merge_properties(file, extra);
    // The group ids given in different places must agree.
    std::set<std::string> groups;
    if (vm.count("group"))
        groups.insert(vm["group"].as<std::string>());
    if (file_props.count("group.id"))
        groups.insert(file_props.at("group.id"));
    for (const auto& [k, v] : extra) {
        if (k == "group.id")
            groups.insert(v);
    }
    if (groups.size() > 1) {
        std::string list;
        for (const auto& g : groups) {
            list += (list.empty() ? "'" : ", '") + g + "'";
        }
        throw UsageError{
            "The group ids provided in different places (directly using '--group', "
            "via '--consumer-property', or via '--consumer.config') do not match. "
            "Detected group ids: " +
            list};
    }
    Setup s;
    s.group_given = !groups.empty();
    if (s.group_given) {
        props["group.id"] = *groups.begin();
    } else {
        std::random_device rd;
        props["group.id"] = "console-consumer-" + std::to_string(rd() % 100000);
        // The generated group is not meant to be used again: its offsets are not committed.
        if (!props.count("enable.auto.commit")) {
            props["enable.auto.commit"] = "false";
        }
    }
    if (s.group_given && vm.count("partition")) {
        throw UsageError{"Options group and partition cannot be specified together."};
    }
    props["auto.offset.reset"] = vm.count("from-beginning") ? "earliest" : "latest";
    if (vm.count("isolation-level")) {
        props["isolation.level"] = vm["isolation-level"].as<std::string>();
    }
    auto connection = client::connection_config(vm["bootstrap-server"].as<std::string>(), file,
                                                props, "console-consumer");
    s.config = client::consumer_config(std::move(connection), props);
    return s;
}

int consume(const po::variables_map& vm, const Setup& setup) {
    auto strings = [&](const char* k) {
        return vm.count(k) ? vm[k].as<std::vector<std::string>>() : std::vector<std::string>{};
    };
    const auto format = client::parse_message_format(client::parse_key_values(strings("property")));
    const int64_t max_messages = vm.count("max-messages") ? vm["max-messages"].as<int32_t>() : -1;
    const int64_t timeout_ms = vm.count("timeout-ms") ? vm["timeout-ms"].as<int32_t>() : -1;
    const std::string topic = vm["topic"].as<std::string>();

    client::Consumer consumer(setup.config);
    if (vm.count("partition")) {
        const client::TopicPartition tp{topic, vm["partition"].as<int32_t>()};
        consumer.assign({tp});
        const int64_t start = vm.count("offset")
                                  ? *console_consumer_offset(vm["offset"].as<std::string>())
                                  : (vm.count("from-beginning") ? -2 : -1);
        consumer.seek(tp, start);
    } else {
        consumer.subscribe({topic});
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGPIPE, SIG_IGN);

    int64_t count = 0;
    auto last_record = std::chrono::steady_clock::now();
    bool timed_out = false;
    int status = 0;
    try {
        while (!g_stop && (max_messages < 0 || count < max_messages)) {
            auto records = consumer.poll(std::chrono::milliseconds(200));
            if (records.empty()) {
                if (timeout_ms >= 0 && std::chrono::steady_clock::now() - last_record >=
                                           std::chrono::milliseconds(timeout_ms)) {
                    timed_out = true;
                    break;
                }
                continue;
            }
            last_record = std::chrono::steady_clock::now();
            std::map<client::TopicPartition, int64_t> rewind;
            for (const auto& r : records) {
                if (max_messages >= 0 && count >= max_messages) {
                    // Not handed out: the committed position stays before it.
                    rewind.try_emplace({r.topic, r.partition}, r.offset);
                    continue;
                }
                std::cout << client::format_record(r, format);
                ++count;
            }
            std::cout.flush();
            if (!std::cout) {
                std::cerr << "Unable to write to standard out, closing consumer.\n";
                break;
            }
            for (const auto& [tp, offset] : rewind) {
                consumer.seek(tp, offset);
            }
        }
        if (timed_out) {
            // What Kafka's log4j line says when --timeout-ms runs out ("[date] ERROR ...").
            std::cerr << "[" << log_time()
                      << "] ERROR Error processing message, terminating consumer process:  "
                         "(kafka.tools.ConsoleConsumer$)\n"
                         "org.apache.kafka.common.errors.TimeoutException\n";
        }
        consumer.close();
    } catch (const ToolError& e) {
        std::cerr << "ERROR Error processing message, terminating consumer process: " << e.message
                  << "\n";
        status = 1;
    }
    std::cerr << "Processed a total of " << count << " messages\n";
    return status;
}

}  // namespace

std::optional<int64_t> console_consumer_offset(const std::string& text) {
    std::string lower = text;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (lower == "earliest") {
        return -2;
    }
    if (lower == "latest") {
        return -1;
    }
    try {
        std::size_t used = 0;
        const long long v = std::stoll(lower, &used);
        if (used != lower.size() || v < 0) {
            return std::nullopt;
        }
        return v;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

int run_console_consumer(const tools::Args& args) {
    const auto options = consumer_options();
    const char* summary =
        "This tool helps to read data from Kafka topics and outputs it to standard output.\n";
    const CommandLine command_line{
        options, [&](std::ostream& out) { out << summary << options << "\n"; }, summary};
    po::variables_map vm;
    Setup setup;
    const int parsed = parse_command_line(args, command_line, [&](const po::variables_map& m) {
        check(m);
        vm = m;
        try {
            setup = consumer_setup(m);
        } catch (const ToolError& e) {
            throw UsageError{e.message};
        }
    });
    if (parsed >= 0) {
        return parsed;
    }
    try {
        return consume(vm, setup);
    } catch (const ToolError& e) {
        std::cerr << "ERROR " << e.message << "\n";
        std::cerr << "Processed a total of 0 messages\n";
        return 1;
    }
}

}  // namespace samsa::admin
