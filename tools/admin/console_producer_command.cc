// `samsa-admin console-producer`: Kafka 2.8's kafka-console-producer.sh. Each line of stdin
// becomes a record (LineMessageReader: with parse.key=true the text before key.separator is
// the key), sent through the Producer with the tool's settings: batch.size 200 bytes,
// linger.ms from --timeout (1000), acks from --request-required-acks (1), retries 3.

#include "tools/admin/client_commands.h"
#include "tools/admin/client_formats.h"
#include "tools/admin/client_tool_config.h"
#include "tools/admin/option_checks.h"

#include <boost/program_options.hpp>

#include <iostream>
#include <poll.h>
#include <unistd.h>

namespace samsa::admin {

namespace {

namespace po = boost::program_options;

po::options_description producer_options() {
    po::options_description d("Option");
    auto many = [] { return po::value<std::vector<std::string>>()->composing(); };
    // clang-format off
    d.add_options()
        ("batch-size", po::value<int32_t>(), "Number of messages to send in a single batch if "
         "they are not being sent synchronously. (default: 200)")
        ("bootstrap-server", po::value<std::string>(), "REQUIRED unless --broker-list"
         "(deprecated) is specified. The server(s) to connect to. The broker list string in the "
         "form HOST1:PORT1,HOST2:PORT2.")
        ("broker-list", po::value<std::string>(), "DEPRECATED, use --bootstrap-server instead; "
         "ignored if --bootstrap-server is specified.  The broker list string in the form "
         "HOST1:PORT1,HOST2:PORT2.")
        ("compression-codec", po::value<std::string>()->implicit_value(""), "The compression "
         "codec: either 'none', 'gzip', 'snappy', 'lz4', or 'zstd'.If specified without value, "
         "then it defaults to 'gzip'")
        ("help", "Print usage information.")
        ("line-reader", po::value<std::string>(), "The class name of the class to use for "
         "reading lines from standard in. By default each line is read as a separate message. "
         "(default: kafka.tools.ConsoleProducer$LineMessageReader)")
        ("max-block-ms", po::value<int64_t>(), "The max time that the producer will block for "
         "during a send request (default: 60000)")
        ("message-send-max-retries", po::value<int32_t>(), "Brokers can fail receiving the "
         "message for multiple reasons, and being unavailable transiently is just one of them. "
         "This property specifies the number of retires before the producer give up and drop "
         "this message. (default: 3)")
        ("producer-property", many(), "A mechanism to pass user-defined properties in the form "
         "key=value to the producer. ")
        ("producer.config", po::value<std::string>(), "Producer config properties file. Note "
         "that [producer-property] takes precedence over this config.")
        ("property", many(), "A mechanism to pass user-defined properties in the form "
         "key=value to the message reader. This allows custom configuration for a user-defined "
         "message reader. Default properties include:\n\tparse.key=true|false\n"
         "\tkey.separator=<key.separator>\n\tignore.error=true|false")
        ("request-required-acks", po::value<std::string>(), "The required `acks` of the "
         "producer requests (default: 1)")
        ("request-timeout-ms", po::value<int32_t>(), "The ack timeout of the producer requests. "
         "Value must be non-negative and non-zero (default: 1500)")
        ("retry-backoff-ms", po::value<int64_t>(), "Before each retry, the producer refreshes "
         "the metadata of relevant topics. Since leader election takes a bit of time, this "
         "property specifies the amount of time that the producer waits before refreshing the "
         "metadata. (default: 100)")
        ("sync", "If set message send requests to the brokers are synchronously, one at a time "
         "as they arrive.")
        ("timeout", po::value<int64_t>(), "If set and the producer is running in asynchronous "
         "mode, this gives the maximum amount of time a message will queue awaiting sufficient "
         "batch size. The value is given in ms. (default: 1000)")
        ("topic", po::value<std::string>(), "REQUIRED: The topic id to produce messages to.");
    // clang-format on
    return d;
}

void check(const po::variables_map& vm) {
    if (!vm.count("bootstrap-server") && !vm.count("broker-list")) {
        throw UsageError{"Missing required argument \"[bootstrap-server]\""};
    }
    require_args(vm, {"topic"});
    if (vm.count("line-reader") &&
        vm["line-reader"].as<std::string>() != "kafka.tools.ConsoleProducer$LineMessageReader") {
        throw UsageError{"Only kafka.tools.ConsoleProducer$LineMessageReader is supported."};
    }
}

template <typename T>
void merge_option(client::PropertyMap& props, const po::variables_map& vm, const char* option,
                  const char* key, const T& fallback) {
    // CommandLineUtils.maybeMergeOptions: the flag wins when given; otherwise the properties'
    // value, otherwise the flag's default.
    if (vm.count(option)) {
        if constexpr (std::is_same_v<T, std::string>) {
            props[key] = vm[option].as<std::string>();
        } else {
            props[key] = std::to_string(vm[option].as<T>());
        }
    } else if (!props.count(key)) {
        if constexpr (std::is_same_v<T, std::string>) {
            props[key] = fallback;
        } else {
            props[key] = std::to_string(fallback);
        }
    }
}

// stdin, read with read(2) so that poll(2) can tell when no line is waiting (and batches
// whose linger.ms ran out go meanwhile).
class LineInput {
  public:
    // The next line without its newline; nullopt at end of input.
    std::optional<std::string> next(client::Producer& producer) {
        for (;;) {
            const auto nl = buffer_.find('\n');
            if (nl != std::string::npos) {
                std::string line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                if (!line.empty() && line.back() == '\r') {
                    line.pop_back();
                }
                return line;
            }
            if (eof_) {
                if (buffer_.empty()) {
                    return std::nullopt;
                }
                return std::exchange(buffer_, std::string());
            }
            const auto wait = producer.time_to_next_send();
            if (wait && *wait == 0) {
                producer.poll();
                continue;
            }
            pollfd fd{0, POLLIN, 0};
            const int ready = ::poll(&fd, 1, wait ? static_cast<int>(*wait) : -1);
            if (ready == 0) {
                producer.poll();
                continue;
            }
            char chunk[65536];
            const ssize_t n = ::read(0, chunk, sizeof chunk);
            if (n <= 0) {
                eof_ = true;
            } else {
                buffer_.append(chunk, static_cast<std::size_t>(n));
            }
        }
    }

  private:
    std::string buffer_;
    bool eof_ = false;
};

int produce_lines(const po::variables_map& vm) {
    auto strings = [&](const char* k) {
        return vm.count(k) ? vm[k].as<std::vector<std::string>>() : std::vector<std::string>{};
    };
    const std::string config_file =
        vm.count("producer.config") ? vm["producer.config"].as<std::string>() : "";
    auto props = client::merge_properties(config_file,
                                          client::parse_key_values(strings("producer-property")));
    merge_option<std::string>(props, vm, "request-required-acks", "acks", "1");
    merge_option<int64_t>(props, vm, "timeout", "linger.ms", 1000);
    merge_option<int32_t>(props, vm, "batch-size", "batch.size", 200);
    merge_option<int32_t>(props, vm, "message-send-max-retries", "retries", 3);
    merge_option<int64_t>(props, vm, "retry-backoff-ms", "retry.backoff.ms", 100);
    merge_option<int32_t>(props, vm, "request-timeout-ms", "request.timeout.ms", 1500);
    merge_option<int64_t>(props, vm, "max-block-ms", "max.block.ms", 60000);
    if (vm.count("compression-codec")) {
        const auto codec = vm["compression-codec"].as<std::string>();
        props["compression.type"] = codec.empty() ? "gzip" : codec;
    }
    const std::string bootstrap = vm.count("bootstrap-server")
                                      ? vm["bootstrap-server"].as<std::string>()
                                      : vm["broker-list"].as<std::string>();
    auto connection = client::connection_config(bootstrap, config_file, props, "console-producer");
    client::Producer producer(client::producer_config(std::move(connection), props));
    const auto reader = client::parse_line_format(client::parse_key_values(strings("property")));
    const std::string topic = vm["topic"].as<std::string>();
    const bool sync = vm.count("sync") > 0;

    LineInput input;
    int64_t line_number = 0;
    for (;;) {
        // Kafka 2.8's LineMessageReader prints its prompt before every read, piped input or not.
        std::cout << ">" << std::flush;
        auto line = input.next(producer);
        if (!line) {
            break;
        }
        std::string error;
        auto parsed = client::parse_line(*line, ++line_number, reader, error);
        if (!parsed) {
            producer.flush();
            throw ToolError{"org.apache.kafka.common.KafkaException: " + error};
        }
        std::optional<std::size_t> key_bytes;
        if (parsed->key) {
            key_bytes = parsed->key->size();
        }
        const std::size_t value_bytes = parsed->value.size();
        std::string sync_error;
        producer.send(topic, parsed->key, parsed->value, [&](const client::RecordMetadata& md) {
            if (md.error_code == 0) {
                return;
            }
            if (sync) {
                sync_error = md.error;
            } else {
                std::cerr
                    << "ERROR " << client::send_error_line(topic, key_bytes, value_bytes, md.error)
                    << " (org.apache.kafka.clients.producer.internals.ErrorLoggingCallback)\n";
            }
        });
        if (sync) {
            producer.flush();
            if (!sync_error.empty()) {
                throw ToolError{sync_error};
            }
        }
    }
    producer.flush();
    return 0;
}

}  // namespace

int run_console_producer(const tools::Args& args) {
    const auto options = producer_options();
    const CommandLine command_line{
        options,
        [&](std::ostream& out) {
            out << "This tool helps to read data from standard input and publish it to Kafka.\n"
                << options << "\n";
        },
        "This tool helps to read data from standard input and publish it to Kafka.\n"};
    // Kafka's ConsoleProducer prints the exception that ended it and exits with 1.
    return parse_and_run(args, command_line, check, produce_lines);
}

}  // namespace samsa::admin
