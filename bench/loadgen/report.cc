#include "bench/loadgen/report.h"

#include <cstdio>
#include <string>
#include <unistd.h>

namespace samsa::loadgen {

namespace {

// The figures derived once for both outputs.
struct Figures {
    double rps = 0;
    double records_per_s = 0;     // produce: records in the answered requests
    double payload_mb_per_s = 0;  // produce: record values, MiB/s
    double broker_s_per_gib = 0;  // produce: broker CPU per GiB of record values
    double broker_cpu_s = 0;
    double broker_user_s = 0;
    double broker_sys_s = 0;
    double broker_us_per_request = 0;
    double client_cpu_s = 0;
    double client_us_per_request = 0;
    double machine_cores = 0;  // the whole machine's busy CPUs, averaged over the window
    double other_cores = 0;    // of which neither the broker nor this generator
    std::string error_detail;  // name:count,... or "none"
};

double ns_to_s(int64_t ns) {
    return static_cast<double>(ns) / 1e9;
}

Figures derive(const Options& o, const RunResult& r) {
    Figures f;
    f.rps = static_cast<double>(r.stats.responses) / o.duration_s;
    f.records_per_s = f.rps * o.records_per_request;
    f.payload_mb_per_s = f.records_per_s * o.record_size / 1048576.0;
    double per_request = r.stats.responses > 0 ? 1e6 / static_cast<double>(r.stats.responses) : 0;
    if (r.broker_start.ok && r.broker_end.ok) {
        double tick_s = 1.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
        f.broker_cpu_s = ns_to_s(r.broker_end.cpu_ns - r.broker_start.cpu_ns);
        f.broker_user_s =
            static_cast<double>(r.broker_end.user_ticks - r.broker_start.user_ticks) * tick_s;
        f.broker_sys_s =
            static_cast<double>(r.broker_end.sys_ticks - r.broker_start.sys_ticks) * tick_s;
        f.broker_us_per_request = f.broker_cpu_s * per_request;
        double gib = f.payload_mb_per_s * o.duration_s / 1024;
        f.broker_s_per_gib = gib > 0 ? f.broker_cpu_s / gib : 0;
    }
    f.client_cpu_s = ns_to_s(r.self_end.user_ns - r.self_start.user_ns + r.self_end.sys_ns -
                             r.self_start.sys_ns);
    f.client_us_per_request = f.client_cpu_s * per_request;
    if (r.machine_busy_end > r.machine_busy_start) {
        double tick_s = 1.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
        f.machine_cores =
            static_cast<double>(r.machine_busy_end - r.machine_busy_start) * tick_s / o.duration_s;
        f.other_cores = f.machine_cores - (f.broker_cpu_s + f.client_cpu_s) / o.duration_s;
    }
    for (const auto& [name, count] : r.stats.errors) {
        f.error_detail += (f.error_detail.empty() ? "" : ",") + name + ":" + std::to_string(count);
    }
    if (f.error_detail.empty()) {
        f.error_detail = "none";
    }
    return f;
}

unsigned long long ull(uint64_t v) {
    return static_cast<unsigned long long>(v);
}
double mb(int64_t kb) {
    return static_cast<double>(kb) / 1024;
}

void print_title(const Options& o, const RunResult& r) {
    std::printf("samsa_loadgen %s: %d connections (%d ready in %.2f s)", mode_name(o.mode),
                o.connections, r.stats.ready, r.prepare_s);
    if (o.mode == Mode::produce && o.rate > 0) {
        std::printf(", paced at %.0f requests/s each (at most %d in flight)", o.rate, o.in_flight);
    } else if (o.mode == Mode::produce) {
        std::printf(", %d in flight each", o.in_flight);
    }
    if (o.mode == Mode::produce) {
        std::printf(", %d x %d B records per request, acks=%d%s", o.records_per_request,
                    o.record_size, o.acks, o.idempotent ? ", idempotent" : "");
    }
    if (o.mode == Mode::fetch) {
        std::printf(", max_wait_ms %d", o.max_wait_ms);
    }
    if (o.mode != Mode::idle) {
        std::printf(", topic %s (%d partitions)", o.topic.c_str(), o.partitions);
    }
    std::printf("; %.1f s warm-up, %.1f s measured\n", o.warmup_s, o.duration_s);
}

void print_load(const Options& o, const RunResult& r, const Figures& f) {
    const Stats& s = r.stats;
    std::printf("  requests/s      %.0f (%llu in the window)\n", f.rps, ull(s.responses));
    if (o.mode == Mode::produce) {
        std::printf("  produced        %.0f records/s, %.2f MB/s of values\n", f.records_per_s,
                    f.payload_mb_per_s);
    }
    std::printf("  round trip us   p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f%s\n",
                s.latency.percentile_us(0.5), s.latency.percentile_us(0.9),
                s.latency.percentile_us(0.99), s.latency.percentile_us(0.999), s.latency.max_us(),
                s.timeouts > 0 ? "  (lower bounds: timeouts)" : "");
    if (o.mode == Mode::fetch) {
        std::printf("  received        %.0f records/s, %.2f MB/s\n",
                    static_cast<double>(s.records) / o.duration_s,
                    static_cast<double>(s.record_bytes) / o.duration_s / 1048576.0);
        std::printf("  end to end us   p50 %.1f  p99 %.1f  max %.1f (%llu stamped records)\n",
                    s.e2e.percentile_us(0.5), s.e2e.percentile_us(0.99), s.e2e.max_us(),
                    ull(s.e2e.count()));
    }
}

void print_human(const Options& o, const RunResult& r, const Figures& f) {
    print_title(o, r);
    if (o.mode != Mode::idle) {
        print_load(o, r, f);
    }
    std::printf("  errors          %llu (%s), timeouts %llu\n", ull(r.stats.error_count()),
                f.error_detail.c_str(), ull(r.stats.timeouts));
    if (o.broker_pid > 0) {
        std::printf("  broker          CPU %.3f s (user %.2f s, system %.2f s)", f.broker_cpu_s,
                    f.broker_user_s, f.broker_sys_s);
        if (o.mode == Mode::idle) {
            std::printf(" = %.2f%% of a core; RSS %.1f MB before connecting, %.1f MB idle\n",
                        100 * f.broker_cpu_s / o.duration_s, mb(r.broker_before_connect.rss_kb),
                        mb(r.broker_end.rss_kb));
        } else {
            std::printf(" = %.1f us/request", f.broker_us_per_request);
            if (o.mode == Mode::produce) {
                std::printf(" = %.2f s/GB of values", f.broker_s_per_gib);
            }
            std::printf("; RSS %.1f MB\n", mb(r.broker_end.rss_kb));
        }
    }
    std::printf("  loadgen         CPU %.3f s = %.1f us/request\n", f.client_cpu_s,
                f.client_us_per_request);
    std::printf("  machine         %.2f CPUs busy, %.2f of them other processes\n", f.machine_cores,
                f.other_cores);
    if (o.mode == Mode::idle) {
        if (r.probe_us) {
            std::printf("  new connection  answered in %.0f us\n", *r.probe_us);
        } else {
            std::printf("  new connection  NOT answered\n");
        }
    }
}

void print_result_line(const Options& o, const RunResult& r, const Figures& f) {
    const Stats& s = r.stats;
    const Histogram& h = s.latency;
    std::printf(
        "RESULT mode=%s connections=%d ready=%d in_flight=%d rate=%.0f record_bytes=%d "
        "acks=%d duration_s=%.2f requests=%llu rps=%.0f p50_us=%.1f p90_us=%.1f "
        "p99_us=%.1f p999_us=%.1f max_us=%.1f errors=%llu timeouts=%llu error_detail=%s",
        mode_name(o.mode), o.connections, s.ready, o.in_flight, o.rate, o.record_size, o.acks,
        o.duration_s, ull(s.responses), f.rps, h.percentile_us(0.5), h.percentile_us(0.9),
        h.percentile_us(0.99), h.percentile_us(0.999), h.max_us(), ull(s.error_count()),
        ull(s.timeouts), f.error_detail.c_str());
    if (o.mode == Mode::produce) {
        std::printf(" records_per_request=%d idempotent=%d records_per_s=%.0f mb_per_s=%.2f",
                    o.records_per_request, o.idempotent ? 1 : 0, f.records_per_s,
                    f.payload_mb_per_s);
    }
    if (o.mode == Mode::fetch) {
        std::printf(
            " records=%llu records_per_s=%.0f mb_per_s=%.2f e2e_p50_us=%.1f "
            "e2e_p99_us=%.1f e2e_max_us=%.1f",
            ull(s.records), static_cast<double>(s.records) / o.duration_s,
            static_cast<double>(s.record_bytes) / o.duration_s / 1048576.0,
            s.e2e.percentile_us(0.5), s.e2e.percentile_us(0.99), s.e2e.max_us());
    }
    if (o.broker_pid > 0) {
        std::printf(
            " broker_cpu_s=%.4f broker_user_s=%.2f broker_sys_s=%.2f "
            "broker_cpu_us_per_req=%.2f broker_rss_kb=%lld",
            f.broker_cpu_s, f.broker_user_s, f.broker_sys_s, f.broker_us_per_request,
            static_cast<long long>(r.broker_end.rss_kb));
        if (o.mode == Mode::produce) {
            std::printf(" broker_cpu_s_per_gb=%.3f", f.broker_s_per_gib);
        }
    }
    if (o.mode == Mode::idle) {
        std::printf(" broker_rss_before_kb=%lld prepare_s=%.2f probe_ok=%d probe_us=%.0f",
                    static_cast<long long>(r.broker_before_connect.rss_kb), r.prepare_s,
                    r.probe_us ? 1 : 0, r.probe_us.value_or(0));
    }
    std::printf(
        " client_cpu_s=%.3f client_cpu_us_per_req=%.2f machine_cores=%.2f "
        "other_cores=%.2f\n",
        f.client_cpu_s, f.client_us_per_request, f.machine_cores, f.other_cores);
}

}  // namespace

void print_report(const Options& o, const RunResult& r) {
    Figures f = derive(o, r);
    print_human(o, r, f);
    print_result_line(o, r, f);
    std::fflush(stdout);
}

}  // namespace samsa::loadgen
