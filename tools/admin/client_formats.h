#pragma once
// What the console and perf tools print and read, in Kafka 2.8's exact formats, kept apart
// from the network code so the unit tests pin them down:
//   - DefaultMessageFormatter (kafka-console-consumer.sh --property print.key=true ...);
//   - LineMessageReader (kafka-console-producer.sh --property parse.key=true ...);
//   - ProducerPerformance's window and total lines, ConsumerPerformance's header and rows;
//   - Java's %.Nf (NaN, Infinity) and SimpleDateFormat("yyyy-MM-dd HH:mm:ss:SSS").

#include "tools/admin/client_records.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace samsa::client {

// "k=v" pairs as CommandLineUtils.parseKeyValueArgs splits them (at the first '='; a missing
// value is the empty string).
std::vector<std::pair<std::string, std::string>> parse_key_values(
    const std::vector<std::string>& args);

struct MessageFormat {
    bool print_timestamp = false;
    bool print_key = false;
    bool print_value = true;
    bool print_partition = false;
    bool print_offset = false;
    bool print_headers = false;
    std::string key_separator = "\t";
    std::string line_separator = "\n";
    std::string headers_separator = ",";
    std::string null_literal = "null";
};

// DefaultMessageFormatter.init from the --property pairs (unknown keys are ignored, as there).
MessageFormat parse_message_format(const std::vector<std::pair<std::string, std::string>>& props);
// DefaultMessageFormatter.writeTo: the record's line, line separator included.
std::string format_record(const ConsumerRecord& record, const MessageFormat& format);

struct LineFormat {
    bool parse_key = false;
    std::string key_separator = "\t";
    bool ignore_error = false;
};

LineFormat parse_line_format(const std::vector<std::pair<std::string, std::string>>& props);

struct ParsedLine {
    std::optional<std::string> key;
    std::string value;
};

// LineMessageReader.readMessage for one line (without its newline): nullopt and `error` set
// ("No key found on line N: ...") when parse.key is on, the separator is missing and
// ignore.error is off.
std::optional<ParsedLine> parse_line(const std::string& line, int64_t line_number,
                                     const LineFormat& format, std::string& error);

// Java's String.format("%.<precision>f", v): NaN, Infinity and -Infinity spelled as Java does.
std::string java_fixed(double v, int precision);
// Java's "%f" (six decimals).
inline std::string java_f(double v) {
    return java_fixed(v, 6);
}

// SimpleDateFormat("yyyy-MM-dd HH:mm:ss:SSS") of epoch milliseconds, in local time.
std::string perf_date(int64_t epoch_ms);

// ProducerPerformance.Stats.printWindow.
std::string producer_window_line(int64_t count, int64_t elapsed_ms, int64_t bytes,
                                 int64_t total_latency_ms, int64_t max_latency_ms);
// ProducerPerformance.Stats.printTotal; `latencies` is the sample, sorted here.
std::string producer_total_line(int64_t count, int64_t elapsed_ms, int64_t bytes,
                                int64_t total_latency_ms, int64_t max_latency_ms,
                                std::vector<int32_t> latencies);

// ConsumerPerformance.printHeader.
std::string consumer_perf_header(bool detailed);
// ConsumerPerformance's summary row.
std::string consumer_perf_row(int64_t start_ms, int64_t end_ms, int64_t bytes, int64_t messages,
                              int64_t rebalance_ms);
// ConsumerPerformance.printConsumerProgress (--show-detailed-stats).
std::string consumer_perf_progress(int64_t bytes, int64_t last_bytes, int64_t messages,
                                   int64_t last_messages, int64_t start_ms, int64_t end_ms,
                                   int64_t join_ms);

}  // namespace samsa::client
