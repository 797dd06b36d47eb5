#pragma once
// CPU and memory of a process from /proc (Linux), sampled at the edges of the measured window.

#include <cstdint>
#include <map>
#include <string>
#include <sys/types.h>

namespace samsa::loadgen {

// What the threads of one role (one name, its trailing digits dropped: "samsa-net-0" and
// "samsa-net-1" are "samsa-net-") spent, from their schedstat.
struct RoleTimes {
    int64_t run_ns = 0;   // on a CPU
    int64_t wait_ns = 0;  // runnable, waiting on a run queue for a CPU
};

struct ProcSample {
    int64_t cpu_ns = 0;  // sum of its threads' run time, /proc/PID/task/*/schedstat
    std::map<std::string, RoleTimes> roles;  // the same, by thread role
    int64_t user_ticks = 0;                  // utime of /proc/PID/stat, clock ticks
    int64_t sys_ticks = 0;                   // stime
    int64_t rss_kb = 0;                      // VmRSS
    bool ok = false;                         // false: no such process (or pid 0)
};

// schedstat gives the precise CPU time; stat's utime/stime only tick every 10 ms but split it
// into user and system. Threads that exited before the sample are missing from cpu_ns.
ProcSample sample_process(pid_t pid);

struct SelfCpu {
    int64_t user_ns = 0;
    int64_t sys_ns = 0;
};

// Per role, what `after` adds to `before` (roles that ran in between only).
std::map<std::string, RoleTimes> role_deltas(const ProcSample& before, const ProcSample& after);

// This process, all threads (getrusage).
SelfCpu self_cpu();

// The machine's busy time (/proc/stat's cpu line: user, nice, system, irq, softirq, steal) in
// clock ticks summed over the CPUs; 0 when unreadable. Over a window, minus the broker's and
// this process's CPU, it is what everything else ran: the noise in a shared machine's figures.
int64_t machine_busy_ticks();

}  // namespace samsa::loadgen
