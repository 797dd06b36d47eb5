// The generators' /proc readings (bench/loadgen/proc_stats.h), taken of this test process: a
// thread given a numbered name is counted under its role, and the deltas between two samples
// hold what ran in between.
#include "bench/loadgen/proc_stats.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <pthread.h>
#include <thread>
#include <unistd.h>

namespace samsa::loadgen {
namespace {

// Spins on a thread named `name` until `stop`, so that it gathers CPU time under that name.
class NamedSpinner {
  public:
    explicit NamedSpinner(const char* name) {
        thread_ = std::thread([this, name] {
            pthread_setname_np(pthread_self(), name);
            named_.store(true);
            while (!stop_.load()) {
            }
        });
        while (!named_.load()) {
            std::this_thread::yield();
        }
    }
    ~NamedSpinner() {
        stop_.store(true);
        thread_.join();
    }

  private:
    std::atomic<bool> named_{false};
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

TEST(ProcStats, NoProcessGivesNoSample) {
    EXPECT_FALSE(sample_process(0).ok);
    EXPECT_TRUE(sample_process(0).roles.empty());
}

TEST(ProcStats, ThreadsAreCountedByRoleWithoutTheirNumber) {
    const ProcSample before = sample_process(getpid());
    ASSERT_TRUE(before.ok);
    {
        NamedSpinner first("statrole-0");
        NamedSpinner second("statrole-1");
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        const ProcSample during = sample_process(getpid());
        ASSERT_TRUE(during.ok);
        ASSERT_TRUE(during.roles.contains("statrole-"));
        EXPECT_FALSE(during.roles.contains("statrole-0"));

        const auto deltas = role_deltas(before, during);
        ASSERT_TRUE(deltas.contains("statrole-"));
        // Two spinning threads for 50 ms: well over 10 ms of CPU between them, whatever else
        // shares the machine.
        EXPECT_GT(deltas.at("statrole-").run_ns, 10'000'000);
        EXPECT_GE(deltas.at("statrole-").wait_ns, 0);

        int64_t by_role = 0;
        for (const auto& [role, t] : during.roles) {
            by_role += t.run_ns;
        }
        EXPECT_EQ(by_role, during.cpu_ns);
    }
}

TEST(ProcStats, DeltasLeaveOutRolesThatDidNotRun) {
    ProcSample before;
    before.roles["idle-"] = RoleTimes{5, 7};
    before.roles["busy-"] = RoleTimes{10, 1};
    ProcSample after;
    after.roles["idle-"] = RoleTimes{5, 7};
    after.roles["busy-"] = RoleTimes{25, 4};
    after.roles["new-"] = RoleTimes{3, 0};

    const auto deltas = role_deltas(before, after);
    EXPECT_EQ(deltas.size(), 2u);
    EXPECT_EQ(deltas.at("busy-").run_ns, 15);
    EXPECT_EQ(deltas.at("busy-").wait_ns, 3);
    EXPECT_EQ(deltas.at("new-").run_ns, 3);
    EXPECT_FALSE(deltas.contains("idle-"));
}

}  // namespace
}  // namespace samsa::loadgen
