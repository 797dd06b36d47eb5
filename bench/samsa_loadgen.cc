// samsa_loadgen: a raw Kafka request generator for the small-request benchmark of issue 5
// (bench/small_requests.sh). No client library sits between it and the broker: requests are
// encoded once with the project's codecs (bench/loadgen/frames.h), and each send copies the
// frame and patches the correlation id (Produce: also a send-time stamp and the CRC; Fetch: the
// offset), so the generator stays cheap next to the broker it shares the cores with.
//
//   samsa_loadgen produce --bootstrap HOST:PORT --topic T [--partitions N] [--connections N]
//                         [--in-flight P] [--record-size S] [--records-per-request K]
//                         [--idempotent] [--acks 1|-1] [--rate R] [--redis [--redis-ping]]
//   samsa_loadgen fetch   --bootstrap HOST:PORT --topic T [--partitions N] [--connections N]
//                         [--max-wait-ms MS] [--max-bytes B]
//   samsa_loadgen idle    --bootstrap HOST:PORT [--connections N]
//   all: [--warmup S] [--duration S] [--drain S] [--threads N] [--broker-pid PID]
//
// produce: one batch of K records (default 1) of S bytes (default 100) per Produce v7 request,
//   connection i to partition i % N. With --idempotent each connection first asks
//   InitProducerId (no transactional id) and is then an idempotent producer of its own: its
//   batches carry that id and epoch, base sequences advancing by K (at most 5 in flight);
//   a plain run patches the same bytes with -1 so both modes cost the generator the same
//   (issue 8's ratio, bench/idempotence.sh). Reports records/s, MB/s of values and the
//   broker's CPU per GB of values besides requests/s. Closed loop by default: P requests in flight
//   per connection, a new one sent per response. With --rate R the load is open loop: connection i
//   sends at phase_i + k/R whether or not earlier requests were answered (up to P in flight,
//   default R), and latency counts from the scheduled time, so a broker that falls behind shows in
//   the percentiles instead of slowing the generator down (no coordinated omission).
//   With --redis the same load goes to a Redis server instead, one `XADD T * v <S bytes>` per
//   request (RESP, answered in order): the peer of bench/small_requests.sh under the same
//   open-loop pattern, which redis-benchmark (closed loop only) cannot produce. --redis-ping
//   sends PING instead: a server that does no work, so its round trip is this machine's floor.
// fetch: consumers tailing partition i % N with Fetch v11 (min_bytes 1, max_wait_ms small),
//   each from the log end (ListOffsets latest), advancing by what it receives, one fetch in
//   flight. Reports fetch round trips, records and bytes received and, for records stamped by
//   a samsa_loadgen producer (running alongside), the end-to-end latency from its send.
// idle: opens N connections (RLIMIT_NOFILE soft raised to hard), one ApiVersions on each, then
//   holds them idle through the window while the broker's CPU and RSS are sampled; at the end
//   a new connection must still be answered.
//
// With --latency-log each measured request's latency is also written with its time "on the
// wire": from handing the request to the kernel to the kernel's receive stamp of the answer
// (SO_TIMESTAMPING), which leaves out this process's own waits for a CPU, the part that
// belongs to the machine's sharing rather than to the broker when both run on it.
//
// With --broker-pid, the broker's CPU time (all threads, /proc/PID/task/*/schedstat; user and
// system from /proc/PID/stat) and RSS are sampled at the edges of the measured window, and CPU
// per request = that CPU / responses in the window; the generator's own CPU likewise. Phases,
// timing and what counts as an error: bench/loadgen/worker.h. Output: bench/loadgen/report.h.
// Exit status: 0 when the run completed (errors are reported, not fatal), 1 when it could not
// run (bad arguments, no connection ready), 2 when an --idempotent run had any error or timeout
// (an out-of-sequence or corrupt batch makes its figures meaningless).

#include "bench/loadgen/frames.h"
#include "bench/loadgen/options.h"
#include "bench/loadgen/proc_stats.h"
#include "bench/loadgen/report.h"
#include "bench/loadgen/worker.h"
#include "broker/protocol/generated/api_table.h"
#include "broker/protocol/generated/api_versions_response.h"
#include "broker/protocol/generated/response_header.h"
#include "broker/protocol/record_batch.h"
#include "broker/protocol/wire.h"

#include <algorithm>
#include <barrier>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace samsa::loadgen {
namespace {

void raise_fd_limit(const Options& o) {
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur < static_cast<rlim_t>(o.connections) + 64) {
        throw std::runtime_error("RLIMIT_NOFILE hard limit " + std::to_string(limit.rlim_max) +
                                 " is too low for " + std::to_string(o.connections) +
                                 " connections (raise it with ulimit -Hn as root)");
    }
}

void sleep_until(int64_t t) {
    timespec ts{t / kNsPerSec, t % kNsPerSec};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
    }
}

bool recv_exactly(int fd, std::vector<uint8_t>& buf, size_t n) {
    size_t have = buf.size();
    buf.resize(have + n);
    while (have < buf.size()) {
        ssize_t got = ::recv(fd, buf.data() + have, buf.size() - have, 0);
        if (got <= 0) {
            return false;
        }
        have += static_cast<size_t>(got);
    }
    return true;
}

// A new connection asking ApiVersions with blocking calls and 5 s timeouts: idle mode's proof
// that the broker still serves newcomers. The round trip with the connect in us, or nullopt.
std::optional<double> probe_broker(const Options& o, const Frames& frames) {
    int64_t start = now_ns();
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval timeout{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    sockaddr_in addr = broker_address(o);
    const auto& request = frames.api_versions;  // correlation id 0, sent unpatched
    std::vector<uint8_t> response;
    bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 &&
              ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
                  static_cast<ssize_t>(request.size()) &&
              recv_exactly(fd, response, 4) &&
              recv_exactly(fd, response, static_cast<size_t>(protocol::load_be32(response.data())));
    ::close(fd);
    if (!ok) {
        return std::nullopt;
    }
    double us = static_cast<double>(now_ns() - start) / 1e3;
    try {
        protocol::Reader r(std::span<const uint8_t>(response).subspan(4));
        protocol::ResponseHeaderData header;
        header.decode(r, protocol::response_header_version(protocol::ApiKey::api_versions,
                                                           kApiVersionsVersion));
        protocol::ApiVersionsResponseData body;
        body.decode(r, kApiVersionsVersion);
        if (header.correlation_id == 0 && body.error_code == 0) {
            return us;
        }
    } catch (const protocol::DecodeError&) {
    }
    return std::nullopt;
}

std::vector<std::unique_ptr<Worker>> make_workers(const Options& o, const Frames& frames) {
    std::vector<std::unique_ptr<Worker>> workers;
    for (int t = 0; t < o.threads; ++t) {
        std::vector<int> ids;
        for (int i = t; i < o.connections; i += o.threads) {
            ids.push_back(i);
        }
        workers.push_back(std::make_unique<Worker>(o, frames, ids));
    }
    return workers;
}

// Samples the broker and this process at the edges of the measured window.
void sample_window(const Options& o, const Schedule& schedule, RunResult& result) {
    sleep_until(schedule.measure_start);
    result.broker_start = sample_process(o.broker_pid);
    result.self_start = self_cpu();
    result.machine_busy_start = machine_busy_ticks();
    sleep_until(schedule.measure_end);
    result.broker_end = sample_process(o.broker_pid);
    result.self_end = self_cpu();
    result.machine_busy_end = machine_busy_ticks();
}

// The workers prepare in parallel; the last one ready starts the clock for all (the barrier's
// completion). This thread only samples /proc, and skips the wait when nothing connected.
RunResult run(const Options& o) {
    raise_fd_limit(o);
    Frames frames = make_frames(o);
    RunResult result;
    result.broker_before_connect = sample_process(o.broker_pid);
    auto workers = make_workers(o, frames);
    int64_t begin = now_ns();
    int64_t prepare_deadline = begin + (30 + o.connections / 500) * kNsPerSec;
    Schedule schedule;
    std::barrier sync(o.threads + 1, [&]() noexcept { schedule = Schedule::from(o, now_ns()); });
    {
        std::vector<std::jthread> threads;
        for (auto& w : workers) {
            threads.emplace_back([&, worker = w.get()] {
                worker->prepare(prepare_deadline);
                sync.arrive_and_wait();
                worker->run(schedule);
            });
        }
        sync.arrive_and_wait();
        result.prepare_s = static_cast<double>(schedule.start - begin) / 1e9;
        if (std::any_of(workers.begin(), workers.end(),
                        [](const auto& w) { return w->stats().ready > 0; })) {
            sample_window(o, schedule, result);
        }
    }
    for (const auto& w : workers) {
        result.stats.merge(w->stats());
    }
    // Idle mode's connections are still open here: they close with the workers.
    if (o.mode == Mode::idle) {
        result.probe_us = probe_broker(o, frames);
        if (!result.probe_us) {
            ++result.stats.errors["probe_unanswered"];
        }
    }
    return result;
}

// One line per measured request: "scheduled_ns latency_ns wire_ns" (see LatencySample).
void write_latency_log(const std::string& path, std::vector<LatencySample> samples) {
    std::sort(samples.begin(), samples.end());
    std::FILE* out = std::fopen(path.c_str(), "w");
    if (out == nullptr) {
        throw std::runtime_error("cannot write " + path);
    }
    for (const auto& s : samples) {
        std::fprintf(out, "%lld %lld %lld\n", static_cast<long long>(s.scheduled_ns),
                     static_cast<long long>(s.latency_ns), static_cast<long long>(s.wire_ns));
    }
    if (std::fclose(out) != 0) {
        throw std::runtime_error("cannot write " + path);
    }
}

}  // namespace
}  // namespace samsa::loadgen

int main(int argc, char** argv) {
    using namespace samsa::loadgen;
    try {
        Options o = parse_options(argc, argv);
        // Paced sends leave on time rather than up to 50 us late (the default timer slack);
        // the lateness would count as the broker's latency.
        prctl(PR_SET_TIMERSLACK, 1UL);
        RunResult r = run(o);
        print_report(o, r);
        if (!o.latency_log.empty()) {
            write_latency_log(o.latency_log, r.stats.samples);
        }
        if (r.stats.ready == 0) {
            return 1;
        }
        // An idempotent run is a figure only if every batch was accepted in sequence.
        if (o.idempotent && (r.stats.error_count() > 0 || r.stats.timeouts > 0)) {
            std::fprintf(stderr, "samsa_loadgen: idempotent run with errors or timeouts\n");
            return 2;
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "samsa_loadgen: %s\n", e.what());
        return 1;
    }
}
