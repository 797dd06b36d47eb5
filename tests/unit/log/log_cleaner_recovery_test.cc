// Crash recovery of a cleaning pass: the states Log::replace_segments passes through, as a
// crash would leave them on disk, and what the next load makes of them.
#include "tests/unit/log/cleaner_fixture.h"

#include <filesystem>

namespace samsa::log::test {
namespace {

namespace fs = std::filesystem;

class CleanerRecoveryTest : public CleanerFixture {
  protected:
    // Segments 0 (a=1 at 0, b=1 at 1) and 2 (a=2 at 2), then the empty active segment 3.
    void write_log_and_close() {
        open();
        put("a", "1");
        put("b", "1");
        ASSERT_TRUE(log_->roll());
        put("a", "2");
        roll_and_commit();
        ASSERT_TRUE(log_->close());
        log_.reset();
    }

    // What cleaning segments 0 and 2 produces: b=1 at 1 and a=2 at 2, in one segment.
    void write_cleaned_segment(const std::string& suffix) {
        auto seg = LogSegment::open(log_dir(), 0, SegmentOptions{}, suffix);
        ASSERT_TRUE(seg);
        BatchOptions at1;
        at1.base_offset = 1;
        BatchOptions at2;
        at2.base_offset = 2;
        auto bytes = concat({make_batch({{std::string("b"), std::string("1"), {}, 0}}, at1),
                             make_batch({{std::string("a"), std::string("2"), {}, 0}}, at2)});
        ASSERT_TRUE(seg.value()->append(bytes));
        ASSERT_TRUE(seg.value()->on_become_inactive());
        ASSERT_TRUE(seg.value()->flush());
        ASSERT_TRUE(seg.value()->close());
    }

    void rename_segment(int64_t base, const std::string& from, const std::string& to) {
        for (const char* type : {".log", ".index", ".timeindex"}) {
            fs::rename(log_dir() + "/" + offset_file_name(base, type) + from,
                       log_dir() + "/" + offset_file_name(base, type) + to);
        }
    }

    const std::vector<KeyedRecord> original_{{0, "a", "1"}, {1, "b", "1"}, {2, "a", "2"}};
    const std::vector<KeyedRecord> cleaned_{{1, "b", "1"}, {2, "a", "2"}};
};

TEST_F(CleanerRecoveryTest, CleanedFilesWithoutSwapAreDiscarded) {
    write_log_and_close();
    write_cleaned_segment(".cleaned");
    open(/*clean=*/false);
    EXPECT_EQ(records(), original_);
    EXPECT_TRUE(files_with_suffix(".cleaned").empty());
    EXPECT_EQ(log_->log_end_offset(), 3);
}

TEST_F(CleanerRecoveryTest, SwapWithTheOldSegmentsStillInPlaceIsCompleted) {
    write_log_and_close();
    write_cleaned_segment(".swap");
    open(false);
    EXPECT_EQ(records(), cleaned_);
    EXPECT_TRUE(files_with_suffix(".swap").empty());
    EXPECT_EQ(files_with_suffix(".log"),
              (std::vector<std::string>{"00000000000000000000.log", "00000000000000000003.log"}));
    EXPECT_EQ(log_->log_end_offset(), 3);
    EXPECT_EQ(put("c", "1"), 3);
}

TEST_F(CleanerRecoveryTest, SwapAfterTheOldSegmentsWereRenamedDeletedIsCompleted) {
    write_log_and_close();
    write_cleaned_segment(".swap");
    rename_segment(0, "", ".deleted");
    rename_segment(2, "", ".deleted");
    open(false);
    EXPECT_EQ(records(), cleaned_);
    EXPECT_TRUE(files_with_suffix(".deleted").empty());
    EXPECT_TRUE(files_with_suffix(".swap").empty());
}

TEST_F(CleanerRecoveryTest, SwapWhoseIndexesLostTheirSuffixFirstIsCompleted) {
    write_log_and_close();
    write_cleaned_segment(".swap");
    rename_segment(0, "", ".deleted");
    rename_segment(2, "", ".deleted");
    fs::rename(log_dir() + "/00000000000000000000.index.swap",
               log_dir() + "/00000000000000000000.index");
    open(false);
    EXPECT_EQ(records(), cleaned_);
    EXPECT_TRUE(files_with_suffix(".swap").empty());
}

TEST_F(CleanerRecoveryTest, OnlyTheFirstOfTwoOldSegmentsRenamedStillRecovers) {
    write_log_and_close();
    write_cleaned_segment(".swap");
    rename_segment(0, "", ".deleted");
    open(false);
    EXPECT_EQ(records(), cleaned_);
    EXPECT_FALSE(fs::exists(log_dir() + "/00000000000000000002.log"));
}

TEST_F(CleanerRecoveryTest, ACleanedLogReadsTheSameAfterAnUncleanRestart) {
    config_.segment_bytes = 300;
    open();
    for (int i = 0; i < 40; ++i) {
        put("k" + std::to_string(i % 4),
            i % 7 == 0 ? std::nullopt : std::optional<std::string>("v" + std::to_string(i)));
    }
    roll_and_commit();
    ASSERT_TRUE(make_cleaner()->clean_once().value());
    auto before = records();
    log_.reset();  // no close(): as a crash would leave it
    open(false);
    EXPECT_EQ(records(), before);
    EXPECT_EQ(log_->log_end_offset(), 40);
}

}  // namespace
}  // namespace samsa::log::test
