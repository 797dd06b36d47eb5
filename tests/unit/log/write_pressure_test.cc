// WritePressure: the freerun arithmetic from /proc/vmstat, the byte budget, stalls, and the
// sampler reading a vmstat file.
#include "broker/log/write_pressure.h"

#include "tests/support/wait.h"
#include "tests/unit/log/test_util.h"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

namespace samsa::log {
namespace {

using namespace std::chrono_literals;

std::string vmstat_text(int64_t dirty, int64_t writeback, int64_t thresh, int64_t bg) {
    return "nr_free_pages 988646\nnr_dirty " + std::to_string(dirty) + "\nnr_writeback " +
           std::to_string(writeback) + "\nnr_writeback_temp 0\nnr_dirty_threshold " +
           std::to_string(thresh) + "\nnr_dirty_background_threshold " + std::to_string(bg) +
           "\npgpgin 12\n";
}

TEST(WritePressureTest, ParsesTheFourCountersAndNeedsAllOfThem) {
    auto counts = parse_vmstat(vmstat_text(15, 2, 1215149, 606832));
    ASSERT_TRUE(counts);
    EXPECT_EQ(counts->dirty, 15);
    EXPECT_EQ(counts->writeback, 2);
    EXPECT_EQ(counts->dirty_threshold, 1215149);
    EXPECT_EQ(counts->background_threshold, 606832);
    EXPECT_FALSE(parse_vmstat("nr_dirty 1\nnr_writeback 2\n"));
}

TEST(WritePressureTest, HeadroomIsTheDistanceToTheFreerunCeilingLessTheMargin) {
    // freerun = (1000 + 600) / 2 = 800 pages; dirty + writeback = 300.
    DirtyPageCounts c{250, 50, 1000, 600};
    EXPECT_EQ(dirty_headroom_bytes(c, 4096, 0), 500 * 4096);
    EXPECT_EQ(dirty_headroom_bytes(c, 4096, 100 * 4096), 400 * 4096);
    c.dirty = 900;
    EXPECT_LT(dirty_headroom_bytes(c, 4096, 0), 0);
}

TEST(WritePressureTest, InlineWritesSpendTheBudgetUntilPressureIsHigh) {
    WritePressure p;
    EXPECT_FALSE(p.high());  // no sample yet: nothing known against writing
    const int64_t pages = (WritePressure::kMarginBytes + (1 << 20)) / 4096;  // 1 MiB headroom
    p.update({0, 0, 2 * pages, 0});
    EXPECT_FALSE(p.high());
    p.wrote(512 << 10);
    EXPECT_FALSE(p.high());
    p.wrote(512 << 10);
    EXPECT_TRUE(p.high());
    p.update({0, 0, 2 * pages, 0});  // the next sample finds the room again
    EXPECT_FALSE(p.high());
}

TEST(WritePressureTest, NearTheCeilingPressureIsHigh) {
    WritePressure p;
    p.update({790, 0, 1000, 600});  // 10 pages from freerun: less than the margin
    EXPECT_TRUE(p.high());
}

TEST(WritePressureTest, AStallHoldsPressureForAWhile) {
    WritePressure p;
    p.report_stall();
    EXPECT_TRUE(p.high());
    EXPECT_TRUE(samsa::test::eventually([&] { return !p.high(); }, WritePressure::kStallHold + 2s));
}

// A write that sleeps in the kernel, as one the kernel throttles does.
void sleeping_write(WritePressure& p) {
    WritePressure::WriteProbe probe(p);
    std::this_thread::sleep_for(WritePressure::kStallThreshold + 2ms);
}

// A write that is slow without sleeping, as one whose thread was descheduled looks.
void busy_write(WritePressure& p) {
    WritePressure::WriteProbe probe(p);
    auto until = std::chrono::steady_clock::now() + WritePressure::kStallThreshold + 2ms;
    while (std::chrono::steady_clock::now() < until) {
    }
}

// The confirmation state is per thread: a fast write leaves none behind from earlier tests.
void fast_write(WritePressure& p) {
    WritePressure::WriteProbe probe(p);
}

TEST(WritePressureTest, OneSlowWriteIsNotAStallUntilTheNextOneConfirmsIt) {
    WritePressure p;
    fast_write(p);
    sleeping_write(p);
    EXPECT_FALSE(p.high());  // could have been the scheduler
    sleeping_write(p);
    EXPECT_TRUE(p.high());
}

TEST(WritePressureTest, AVerySlowWriteIsAStallAtOnce) {
    WritePressure p;
    fast_write(p);
    {
        WritePressure::WriteProbe probe(p);
        std::this_thread::sleep_for(WritePressure::kCertainStall + 5ms);
    }
    EXPECT_TRUE(p.high());
}

TEST(WritePressureTest, SlowWritesThatDidNotSleepAreNotStalls) {
    WritePressure p;
    fast_write(p);
    busy_write(p);
    busy_write(p);
    busy_write(p);
    EXPECT_FALSE(p.high());
}

TEST(WritePressureTest, AFastWriteClearsTheSuspicion) {
    WritePressure p;
    fast_write(p);
    sleeping_write(p);
    fast_write(p);
    sleeping_write(p);
    EXPECT_FALSE(p.high());
}

TEST(WritePressureTest, ASlowPoolWriteThatSleptHoldsPressureWithoutAConfirmation) {
    WritePressure p;
    {
        WritePressure::PoolWriteProbe probe(p);
        std::this_thread::sleep_for(WritePressure::kStallThreshold + 2ms);
    }
    EXPECT_TRUE(p.high());
}

TEST(WritePressureTest, FastPoolWritesLeavePressureAlone) {
    WritePressure p;
    { WritePressure::PoolWriteProbe probe(p); }
    EXPECT_FALSE(p.high());
}

TEST(WritePressureTest, SamplerFollowsTheVmstatFile) {
    test::TempDir dir;
    const std::string path = dir / "vmstat";
    auto write = [&](int64_t dirty) {
        std::ofstream(path + ".tmp") << vmstat_text(dirty, 0, 1000000, 500000);
        std::rename((path + ".tmp").c_str(), path.c_str());
    };
    write(0);
    WritePressure p;
    p.start(path);
    p.wrote(1);  // marks activity: samples every few milliseconds
    EXPECT_FALSE(p.high());
    write(749000);  // within the margin of freerun (750000 pages)
    EXPECT_TRUE(samsa::test::eventually(
        [&] {
            p.wrote(1);
            return p.high();
        },
        5s));
    write(0);
    EXPECT_TRUE(samsa::test::eventually(
        [&] {
            p.wrote(1);
            return !p.high();
        },
        5s));
    p.stop();
}

TEST(WritePressureTest, WithoutAReadableVmstatOnlyStallsCount) {
    WritePressure p;
    p.start("/nonexistent/vmstat");
    p.wrote(int64_t{1} << 40);
    EXPECT_FALSE(p.high());
    p.stop();
}

}  // namespace
}  // namespace samsa::log
