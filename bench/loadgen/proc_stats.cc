#include "bench/loadgen/proc_stats.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>

namespace samsa::loadgen {

namespace {

int64_t threads_cpu_ns(const std::string& dir) {
    int64_t total = 0;
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator(dir + "/task", ec)) {
        std::ifstream in(task.path() / "schedstat");
        int64_t run_ns = 0;
        if (in >> run_ns) {
            total += run_ns;
        }
    }
    return total;
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
    s.cpu_ns = threads_cpu_ns(dir);
    s.ok = read_ticks(dir, s) && s.cpu_ns > 0;
    s.rss_kb = rss_kb(dir);
    return s;
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
