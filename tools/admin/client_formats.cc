#include "tools/admin/client_formats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace samsa::client {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

bool truthy(const std::string& v) {
    return lower(v) == "true";
}

// DefaultMessageFormatter reads separators with Java escapes unescaped ("\t", "\n").
std::string unescape(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            const char c = s[++i];
            out += c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c;
        } else {
            out += s[i];
        }
    }
    return out;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_key_values(
    const std::vector<std::string>& args) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& a : args) {
        if (a.empty()) {
            continue;
        }
        const auto eq = a.find('=');
        if (eq == std::string::npos) {
            out.emplace_back(a, "");
        } else {
            out.emplace_back(a.substr(0, eq), a.substr(eq + 1));
        }
    }
    return out;
}

MessageFormat parse_message_format(const std::vector<std::pair<std::string, std::string>>& props) {
    MessageFormat f;
    for (const auto& [k, v] : props) {
        if (k == "print.timestamp")
            f.print_timestamp = truthy(v);
        else if (k == "print.key")
            f.print_key = truthy(v);
        else if (k == "print.value")
            f.print_value = truthy(v);
        else if (k == "print.partition")
            f.print_partition = truthy(v);
        else if (k == "print.offset")
            f.print_offset = truthy(v);
        else if (k == "print.headers")
            f.print_headers = truthy(v);
        else if (k == "key.separator")
            f.key_separator = unescape(v);
        else if (k == "line.separator")
            f.line_separator = unescape(v);
        else if (k == "headers.separator")
            f.headers_separator = unescape(v);
        else if (k == "null.literal")
            f.null_literal = v;
    }
    return f;
}

std::string format_record(const ConsumerRecord& r, const MessageFormat& f) {
    std::string out;
    // Between columns the key separator, after the last one the line separator.
    auto separator = [&](bool more) { out += more ? f.key_separator : f.line_separator; };
    if (f.print_timestamp) {
        out += (r.log_append_time ? "LogAppendTime:" : "CreateTime:") + std::to_string(r.timestamp);
        separator(f.print_partition || f.print_offset || f.print_headers || f.print_key ||
                  f.print_value);
    }
    if (f.print_partition) {
        out += "Partition:" + std::to_string(r.partition);
        separator(f.print_offset || f.print_headers || f.print_key || f.print_value);
    }
    if (f.print_offset) {
        out += "Offset:" + std::to_string(r.offset);
        separator(f.print_headers || f.print_key || f.print_value);
    }
    if (f.print_headers) {
        if (r.headers.empty()) {
            out += "NO_HEADERS";
        }
        for (std::size_t i = 0; i < r.headers.size(); ++i) {
            if (i > 0) {
                out += f.headers_separator;
            }
            out += r.headers[i].first + ":" + r.headers[i].second.value_or(f.null_literal);
        }
        separator(f.print_key || f.print_value);
    }
    if (f.print_key) {
        out += r.key.value_or(f.null_literal);
        separator(f.print_value);
    }
    if (f.print_value) {
        out += r.value.value_or(f.null_literal);
        out += f.line_separator;
    }
    return out;
}

LineFormat parse_line_format(const std::vector<std::pair<std::string, std::string>>& props) {
    LineFormat f;
    for (const auto& [k, v] : props) {
        if (k == "parse.key")
            f.parse_key = truthy(v);
        else if (k == "key.separator")
            f.key_separator = v;
        else if (k == "ignore.error")
            f.ignore_error = truthy(v);
    }
    return f;
}

std::optional<ParsedLine> parse_line(const std::string& line, int64_t line_number,
                                     const LineFormat& format, std::string& error) {
    if (!format.parse_key) {
        return ParsedLine{std::nullopt, line};
    }
    const auto at = line.find(format.key_separator);
    if (at == std::string::npos) {
        if (format.ignore_error) {
            return ParsedLine{std::nullopt, line};
        }
        error = "No key found on line " + std::to_string(line_number) + ": " + line;
        return std::nullopt;
    }
    return ParsedLine{line.substr(0, at), line.substr(at + format.key_separator.size())};
}

std::string java_fixed(double v, int precision) {
    if (std::isnan(v)) {
        return "NaN";
    }
    if (std::isinf(v)) {
        return v > 0 ? "Infinity" : "-Infinity";
    }
    // Java rounds the double's exact decimal value HALF_UP; printf rounds it half-to-even.
    // They differ only on an exact tie (0.125 at two places), which a value one ulp further
    // from zero breaks the way Java does.
    char exact[512];
    std::snprintf(exact, sizeof exact, "%.*f", precision + 60, v);
    const std::string digits(exact);
    const std::size_t cut = digits.size() - 60;
    if (digits[cut] == '5' && digits.find_first_not_of('0', cut + 1) == std::string::npos) {
        v = std::nextafter(v, v > 0 ? HUGE_VAL : -HUGE_VAL);
    }
    char buf[512];
    std::snprintf(buf, sizeof buf, "%.*f", precision, v);
    return buf;
}

std::string perf_date(int64_t epoch_ms) {
    const std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
    std::tm tm{};
    localtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s:%03d", buf, static_cast<int>(epoch_ms % 1000));
    return out;
}

std::string producer_window_line(int64_t count, int64_t elapsed_ms, int64_t bytes,
                                 int64_t total_latency_ms, int64_t max_latency_ms) {
    const double recs_per_sec =
        1000.0 * static_cast<double>(count) / static_cast<double>(elapsed_ms);
    const double mb_per_sec =
        1000.0 * static_cast<double>(bytes) / static_cast<double>(elapsed_ms) / (1024.0 * 1024.0);
    return std::to_string(count) + " records sent, " + java_fixed(recs_per_sec, 1) +
           " records/sec (" + java_fixed(mb_per_sec, 2) + " MB/sec), " +
           java_fixed(static_cast<double>(total_latency_ms) / static_cast<double>(count), 1) +
           " ms avg latency, " + java_fixed(static_cast<double>(max_latency_ms), 1) +
           " ms max latency.";
}

std::string producer_total_line(int64_t count, int64_t elapsed_ms, int64_t bytes,
                                int64_t total_latency_ms, int64_t max_latency_ms,
                                std::vector<int32_t> latencies) {
    const double recs_per_sec =
        1000.0 * static_cast<double>(count) / static_cast<double>(elapsed_ms);
    const double mb_per_sec =
        1000.0 * static_cast<double>(bytes) / static_cast<double>(elapsed_ms) / (1024.0 * 1024.0);
    std::sort(latencies.begin(), latencies.end());
    // Stats.percentiles: the sample's element at (int)(p * size).
    auto percentile = [&](double p) -> int32_t {
        if (latencies.empty()) {
            return 0;
        }
        const auto i = static_cast<std::size_t>(p * static_cast<double>(latencies.size()));
        return latencies[std::min(i, latencies.size() - 1)];
    };
    return std::to_string(count) + " records sent, " + java_f(recs_per_sec) + " records/sec (" +
           java_fixed(mb_per_sec, 2) + " MB/sec), " +
           java_fixed(static_cast<double>(total_latency_ms) / static_cast<double>(count), 2) +
           " ms avg latency, " + java_fixed(static_cast<double>(max_latency_ms), 2) +
           " ms max latency, " + std::to_string(percentile(0.5)) + " ms 50th, " +
           std::to_string(percentile(0.95)) + " ms 95th, " + std::to_string(percentile(0.99)) +
           " ms 99th, " + std::to_string(percentile(0.999)) + " ms 99.9th.";
}

std::string consumer_perf_header(bool detailed) {
    const std::string tail = ", rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec";
    if (detailed) {
        return "time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec" +
               tail;
    }
    return "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec" +
           tail;
}

std::string consumer_perf_row(int64_t start_ms, int64_t end_ms, int64_t bytes, int64_t messages,
                              int64_t rebalance_ms) {
    const double elapsed_secs = static_cast<double>(end_ms - start_ms) / 1000.0;
    const int64_t fetch_ms = (end_ms - start_ms) - rebalance_ms;
    const double mb = static_cast<double>(bytes) / (1024.0 * 1024.0);
    const auto n = static_cast<double>(messages);
    const double fetch_secs = static_cast<double>(fetch_ms) / 1000.0;
    return perf_date(start_ms) + ", " + perf_date(end_ms) + ", " + java_fixed(mb, 4) + ", " +
           java_fixed(mb / elapsed_secs, 4) + ", " + std::to_string(messages) + ", " +
           java_fixed(n / elapsed_secs, 4) + ", " + std::to_string(rebalance_ms) + ", " +
           std::to_string(fetch_ms) + ", " + java_fixed(mb / fetch_secs, 4) + ", " +
           java_fixed(n / fetch_secs, 4);
}

std::string consumer_perf_progress(int64_t bytes, int64_t last_bytes, int64_t messages,
                                   int64_t last_messages, int64_t start_ms, int64_t end_ms,
                                   int64_t join_ms) {
    const auto elapsed = static_cast<double>(end_ms - start_ms);
    const double total_mb = static_cast<double>(bytes) / (1024.0 * 1024.0);
    const double interval_mb = static_cast<double>(bytes - last_bytes) / (1024.0 * 1024.0);
    const double interval_msgs = static_cast<double>(messages - last_messages);
    std::string out = perf_date(end_ms) + ", 0, " + java_fixed(total_mb, 4) + ", " +
                      java_fixed(1000.0 * interval_mb / elapsed, 4) + ", " +
                      std::to_string(messages) + ", " +
                      java_fixed(interval_msgs / elapsed * 1000.0, 4);
    const int64_t fetch_ms = end_ms - start_ms - join_ms;
    const double mb_rate =
        fetch_ms <= 0 ? 0.0 : 1000.0 * interval_mb / static_cast<double>(fetch_ms);
    const double msg_rate =
        fetch_ms <= 0 ? 0.0 : 1000.0 * interval_msgs / static_cast<double>(fetch_ms);
    return out + ", " + std::to_string(join_ms) + ", " + std::to_string(fetch_ms) + ", " +
           java_fixed(mb_rate, 4) + ", " + java_fixed(msg_rate, 4);
}

}  // namespace samsa::client
