#pragma once
// What samsa_loadgen prints at the end of a run: a human summary, then one line
//   RESULT mode=... key=value ...
// for scripts (bench/small_requests.sh, bench/idempotence.sh read it). Latencies in
// microseconds, CPU in seconds or microseconds per request, RSS in kB; MB is 2^20 bytes and GB
// 2^30 (produce's MB/s and broker CPU s/GB count record values only).

#include "bench/loadgen/options.h"
#include "bench/loadgen/proc_stats.h"
#include "bench/loadgen/worker.h"

#include <optional>

namespace samsa::loadgen {

// Everything measured, merged over the threads.
struct RunResult {
    Stats stats;
    double prepare_s = 0;              // connecting and the hellos
    ProcSample broker_before_connect;  // idle: the broker before the first connection
    ProcSample broker_start;           // at the window's edges
    ProcSample broker_end;
    SelfCpu self_start;
    SelfCpu self_end;
    int64_t machine_busy_start = 0;  // machine_busy_ticks() at the window's edges
    int64_t machine_busy_end = 0;
    std::optional<double> probe_us;  // idle: a new connection's ApiVersions round trip
};

void print_report(const Options& o, const RunResult& r);

}  // namespace samsa::loadgen
