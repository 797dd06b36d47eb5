#include "bench/loadgen/proc_stats.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>

namespace samsa::loadgen {

namespace {

std::string thread_role(const std::filesystem::path& task) {
    std::ifstream in(task / "comm");
    std::string name;
    std::getline(in, name);
    while (!name.empty() && name.back() >= '0' && name.back() <= '9') {
        name.pop_back();
    }
    return name;
}

// schedstat: time on a CPU, time waiting on a run queue (both ns), time slices run.
void read_threads(const std::string& dir, ProcSample& s) {
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator(dir + "/task", ec)) {
        std::ifstream in(task.path() / "schedstat");
        int64_t run_ns = 0;
        int64_t wait_ns = 0;
        if (in >> run_ns >> wait_ns) {
            s.cpu_ns += run_ns;
            RoleTimes& role = s.roles[thread_role(task.path())];
            role.run_ns += run_ns;
            role.wait_ns += wait_ns;
        }
    }
}

// utime and stime: fields 14 and 15 of /proc/PID/stat, counted after the command name, which
// sits in parentheses and may hold spaces.
bool read_ticks(const std::string& dir, ProcSample& s) {
    std::ifstream stat(dir + "/stat");
    std::string line;
    std::getline(stat, line);
    auto close = line.rfind(')');
    if (close == std::string::npos) {
        return false;
    }
    std::istringstream fields(line.substr(close + 2));  // from field 3, the state
    std::string skip;
    for (int field = 3; field < 14; ++field) {
        fields >> skip;
    }
    return static_cast<bool>(fields >> s.user_ticks >> s.sys_ticks);
}

int64_t rss_kb(const std::string& dir) {
    std::ifstream status(dir + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::stoll(line.substr(6));
        }
    }
    return 0;
}

}  // namespace

ProcSample sample_process(pid_t pid) {
    ProcSample s;
    if (pid <= 0) {
        return s;
    }
    std::string dir = "/proc/" + std::to_string(pid);
    read_threads(dir, s);
    s.ok = read_ticks(dir, s) && s.cpu_ns > 0;
    s.rss_kb = rss_kb(dir);
    return s;
}

std::map<std::string, RoleTimes> role_deltas(const ProcSample& before, const ProcSample& after) {
    std::map<std::string, RoleTimes> out;
    for (const auto& [role, t] : after.roles) {
        RoleTimes d = t;
        if (auto it = before.roles.find(role); it != before.roles.end()) {
            d.run_ns -= it->second.run_ns;
            d.wait_ns -= it->second.wait_ns;
        }
        if (d.run_ns > 0 || d.wait_ns > 0) {
            out[role] = d;
        }
    }
    return out;
}

SelfCpu self_cpu() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto ns = [](const timeval& tv) {
        return static_cast<int64_t>(tv.tv_sec) * 1'000'000'000 + tv.tv_usec * 1000;
    };
    return {ns(ru.ru_utime), ns(ru.ru_stime)};
}

int64_t machine_busy_ticks() {
    std::ifstream stat("/proc/stat");
    std::string cpu;
    int64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    if (!(stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) ||
        cpu != "cpu") {
        return 0;
    }
    return user + nice + system + irq + softirq + steal;
}

}  // namespace samsa::loadgen
