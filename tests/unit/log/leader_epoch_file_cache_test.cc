// LeaderEpochFileCache (ZK-MODE.md §c OffsetsForLeaderEpoch, §d leader-epoch-checkpoint) and
// its upkeep by the Log: appends, truncation, log start moves and recovery.
#include "broker/log/leader_epoch_file_cache.h"

#include "broker/log/errc.h"
#include "broker/log/file_util.h"
#include "common/logging.h"
#include "tests/unit/log/log_fixture.h"

#include <spdlog/sinks/ringbuffer_sink.h>

#include <filesystem>

namespace samsa::log::test {
namespace {

namespace fs = std::filesystem;

using Entries = std::vector<EpochEntry>;

std::string text_of(const std::string& path) {
    auto bytes = read_file_bytes(path);
    return {bytes.begin(), bytes.end()};
}

void write_text(const std::string& path, const std::string& text) {
    write_file_bytes(path, std::vector<uint8_t>(text.begin(), text.end()));
}

// Collects what the "log" logger says while alive.
class LogCapture {
  public:
    LogCapture() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64)) {
        get_logger("log")->sinks().push_back(sink_);
    }
    ~LogCapture() { get_logger("log")->sinks().pop_back(); }
    std::string text() const {
        std::string out;
        for (const auto& line : sink_->last_formatted()) {
            out += line;
        }
        return out;
    }

  private:
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

class LeaderEpochFileCacheTest : public ::testing::Test {
  protected:
    std::string path() const { return dir_ / kLeaderEpochCheckpointFile; }
    LeaderEpochFileCache load() {
        auto cache = LeaderEpochFileCache::load(path(), {"t", 0});
        EXPECT_TRUE(cache) << cache.error().message();
        return std::move(cache).value();
    }
    // A cache holding (0, 0), (2, 10), (4, 20).
    LeaderEpochFileCache three_epochs() {
        auto cache = load();
        EXPECT_TRUE(cache.assign(0, 0));
        EXPECT_TRUE(cache.assign(2, 10));
        EXPECT_TRUE(cache.assign(4, 20));
        return cache;
    }

    TempDir dir_;
};

// ---- Unsynced writes (a new leader's entry) ---------------------------------------------------

TEST_F(LeaderEpochFileCacheTest, UnsyncedAssignIsWrittenBySync) {
    auto cache = load();
    ASSERT_TRUE(cache.assign(0, 0));
    EXPECT_FALSE(cache.has_unsynced_write());
    ASSERT_TRUE(cache.assign(3, 5, /*sync=*/false));
    // Queries see the entry at once; the file gets it at sync().
    EXPECT_TRUE(cache.has_unsynced_write());
    EXPECT_EQ(cache.end_offset_for(0, 9), (EpochEndOffset{0, 5}));
    EXPECT_EQ(text_of(path()), "0\n1\n0 0\n");
    ASSERT_TRUE(cache.sync());
    EXPECT_FALSE(cache.has_unsynced_write());
    EXPECT_EQ(text_of(path()), "0\n2\n0 0\n3 5\n");
    EXPECT_EQ(load().entries(), (Entries{{0, 0}, {3, 5}}));
}

TEST_F(LeaderEpochFileCacheTest, ASyncedChangeAfterAnUnsyncedOneLeavesNothingPending) {
    auto cache = load();
    ASSERT_TRUE(cache.assign(2, 0, /*sync=*/false));
    ASSERT_TRUE(cache.truncate_from_end(0));
    EXPECT_FALSE(cache.has_unsynced_write());
    EXPECT_TRUE(load().entries().empty());
}

// ---- OffsetsForLeaderEpoch: every row of the table --------------------------------------------

TEST_F(LeaderEpochFileCacheTest, LatestEpochEndsAtTheLogEndOffset) {
    auto cache = three_epochs();
    EXPECT_EQ(cache.end_offset_for(4, 35), (EpochEndOffset{4, 35}));
}

TEST_F(LeaderEpochFileCacheTest, KnownEarlierEpochEndsWhereTheNextEpochStarts) {
    auto cache = three_epochs();
    EXPECT_EQ(cache.end_offset_for(2, 35), (EpochEndOffset{2, 20}));
    EXPECT_EQ(cache.end_offset_for(0, 35), (EpochEndOffset{0, 10}));
}

TEST_F(LeaderEpochFileCacheTest, EpochBetweenKnownEpochsAnswersTheLargestEpochBelowIt) {
    auto cache = three_epochs();
    EXPECT_EQ(cache.end_offset_for(3, 35), (EpochEndOffset{2, 20}));
    EXPECT_EQ(cache.end_offset_for(1, 35), (EpochEndOffset{0, 10}));
}

TEST_F(LeaderEpochFileCacheTest, EpochBelowAllKnownEpochsAnswersTheFirstStartOffset) {
    auto cache = load();
    ASSERT_TRUE(cache.assign(2, 10));
    ASSERT_TRUE(cache.assign(4, 20));
    EXPECT_EQ(cache.end_offset_for(1, 35), (EpochEndOffset{1, 10}));
    EXPECT_EQ(cache.end_offset_for(0, 35), (EpochEndOffset{0, 10}));
}

TEST_F(LeaderEpochFileCacheTest, UndefinedEpochAnswersUndefined) {
    auto cache = three_epochs();
    EXPECT_EQ(cache.end_offset_for(-1, 35), (EpochEndOffset{-1, -1}));
}

TEST_F(LeaderEpochFileCacheTest, EpochAboveTheLatestOrAnEmptyCacheAnswersUndefined) {
    auto cache = three_epochs();
    EXPECT_EQ(cache.end_offset_for(5, 35), (EpochEndOffset{-1, -1}));
    auto empty = LeaderEpochFileCache::load(dir_ / "other", {"t", 0}).value();
    EXPECT_EQ(empty.end_offset_for(0, 35), (EpochEndOffset{-1, -1}));
}

TEST_F(LeaderEpochFileCacheTest, EpochForOffsetIsTheLastEpochStartingAtOrBeforeIt) {
    auto cache = three_epochs();
    EXPECT_EQ(cache.epoch_for_offset(0), 0);
    EXPECT_EQ(cache.epoch_for_offset(19), 2);
    EXPECT_EQ(cache.epoch_for_offset(20), 4);
    EXPECT_EQ(cache.epoch_for_offset(1000), 4);
    auto later = LeaderEpochFileCache::load(dir_ / "other", {"t", 0}).value();
    ASSERT_TRUE(later.assign(3, 5));
    EXPECT_EQ(later.epoch_for_offset(4), std::nullopt);
}

// ---- assign -------------------------------------------------------------------------------

TEST_F(LeaderEpochFileCacheTest, NewerEpochsAreAppended) {
    auto cache = three_epochs();
    EXPECT_EQ(cache.entries(), (Entries{{0, 0}, {2, 10}, {4, 20}}));
    EXPECT_EQ(cache.latest_epoch(), 4);
    EXPECT_EQ(cache.latest_entry(), (EpochEntry{4, 20}));
}

TEST_F(LeaderEpochFileCacheTest, LatestEpochAtALaterOffsetIsIgnored) {
    auto cache = three_epochs();
    fs::remove(path());
    ASSERT_TRUE(cache.assign(4, 25));
    EXPECT_EQ(cache.entries(), (Entries{{0, 0}, {2, 10}, {4, 20}}));
    EXPECT_FALSE(fs::exists(path())) << "nothing changed, nothing written";
}

TEST_F(LeaderEpochFileCacheTest, LatestEpochAtAnEarlierOffsetMovesItsStart) {
    auto cache = three_epochs();
    ASSERT_TRUE(cache.assign(4, 15));
    EXPECT_EQ(cache.entries(), (Entries{{0, 0}, {2, 10}, {4, 15}}));
}

TEST_F(LeaderEpochFileCacheTest, ConflictingEntriesAreRemovedBeforeTheNewOneAndWarned) {
    auto cache = three_epochs();
    LogCapture capture;
    // A lower epoch removes every entry with epoch >= it.
    ASSERT_TRUE(cache.assign(3, 25));
    EXPECT_EQ(cache.entries(), (Entries{{0, 0}, {2, 10}, {3, 25}}));
    // An earlier start removes every entry starting at or after it.
    ASSERT_TRUE(cache.assign(5, 10));
    EXPECT_EQ(cache.entries(), (Entries{{0, 0}, {5, 10}}));
    EXPECT_NE(capture.text().find("truncated conflicting entries [(4, 20)]"), std::string::npos)
        << capture.text();
    EXPECT_NE(capture.text().find("[(2, 10) (3, 25)]"), std::string::npos) << capture.text();
    EXPECT_EQ(text_of(path()), "0\n2\n0 0\n5 10\n");
}

TEST_F(LeaderEpochFileCacheTest, ReplacingAnEpochWithoutDataAtTheSameOffsetIsNotWarned) {
    auto cache = load();
    ASSERT_TRUE(cache.assign(1, 5));
    LogCapture capture;
    ASSERT_TRUE(cache.assign(0, 5));  // epoch 1 wrote nothing; epoch 0 starts there instead
    EXPECT_EQ(cache.entries(), (Entries{{0, 5}}));
    EXPECT_EQ(capture.text().find("truncated"), std::string::npos) << capture.text();
}

TEST_F(LeaderEpochFileCacheTest, NegativeEpochOrOffsetIsRejected) {
    auto cache = load();
    EXPECT_FALSE(cache.assign(-1, 0));
    EXPECT_FALSE(cache.assign(0, -1));
    EXPECT_TRUE(cache.entries().empty());
}

// ---- truncation ---------------------------------------------------------------------------

TEST_F(LeaderEpochFileCacheTest, TruncateFromEndDropsEntriesStartingAtOrAfterTheOffset) {
    auto cache = three_epochs();
    ASSERT_TRUE(cache.truncate_from_end(21));
    EXPECT_EQ(cache.entries(), (Entries{{0, 0}, {2, 10}, {4, 20}}));
    ASSERT_TRUE(cache.truncate_from_end(20));
    EXPECT_EQ(cache.entries(), (Entries{{0, 0}, {2, 10}}));
    ASSERT_TRUE(cache.truncate_from_end(5));
    EXPECT_EQ(cache.entries(), (Entries{{0, 0}}));
    EXPECT_EQ(text_of(path()), "0\n1\n0 0\n");
}

TEST_F(LeaderEpochFileCacheTest, TruncateFromStartMovesTheEpochHoldingTheNewStart) {
    auto cache = three_epochs();
    ASSERT_TRUE(cache.truncate_from_start(0));
    EXPECT_EQ(cache.entries(), (Entries{{0, 0}, {2, 10}, {4, 20}}));
    ASSERT_TRUE(cache.truncate_from_start(15));
    EXPECT_EQ(cache.entries(), (Entries{{2, 15}, {4, 20}}));
    ASSERT_TRUE(cache.truncate_from_start(20));
    EXPECT_EQ(cache.entries(), (Entries{{4, 20}}));
    ASSERT_TRUE(cache.truncate_from_start(30));
    EXPECT_EQ(cache.entries(), (Entries{{4, 30}}));
    EXPECT_EQ(text_of(path()), "0\n1\n4 30\n");
}

TEST_F(LeaderEpochFileCacheTest, TruncateFromStartBeforeEveryEpochKeepsThemAll) {
    auto cache = load();
    ASSERT_TRUE(cache.assign(3, 10));
    ASSERT_TRUE(cache.truncate_from_start(5));
    EXPECT_EQ(cache.entries(), (Entries{{3, 10}}));
}

TEST_F(LeaderEpochFileCacheTest, ClearRemovesEveryEntryFromTheFileToo) {
    auto cache = three_epochs();
    ASSERT_TRUE(cache.clear());
    EXPECT_TRUE(cache.entries().empty());
    EXPECT_EQ(cache.latest_epoch(), std::nullopt);
    EXPECT_EQ(text_of(path()), "0\n0\n");
}

// ---- the file -----------------------------------------------------------------------------

TEST_F(LeaderEpochFileCacheTest, FileHoldsKafkasTextAndReadsBack) {
    auto cache = load();
    ASSERT_TRUE(cache.assign(0, 0));
    ASSERT_TRUE(cache.assign(3, 1834));
    EXPECT_EQ(text_of(path()), "0\n2\n0 0\n3 1834\n");
    EXPECT_FALSE(fs::exists(path() + ".tmp"));
    EXPECT_EQ(load().entries(), (Entries{{0, 0}, {3, 1834}}));
}

TEST_F(LeaderEpochFileCacheTest, KafkasOwnFileLoads) {
    write_text(path(), "0\n3\n0 0\n2 117\n5 2048\n");
    EXPECT_EQ(load().entries(), (Entries{{0, 0}, {2, 117}, {5, 2048}}));
}

TEST_F(LeaderEpochFileCacheTest, MissingOrEmptyFileLoadsEmpty) {
    EXPECT_TRUE(load().entries().empty());
    write_text(path(), "");  // Kafka creates the file empty before its first write
    EXPECT_TRUE(load().entries().empty());
}

TEST_F(LeaderEpochFileCacheTest, MalformedFilesAreCorruptCheckpoint) {
    for (const char* text : {"1\n0\n", "0\n2\n0 0\n", "0\n1\n0\n", "0\n1\nx 0\n", "0\n1\n0 0 0\n",
                             "0\n1\n-1 0\n", "0\n2\n3 10\n2 20\n", "0\n2\n1 10\n2 10\n"}) {
        write_text(path(), text);
        auto cache = LeaderEpochFileCache::load(path(), {"t", 0});
        ASSERT_FALSE(cache) << text;
        EXPECT_EQ(cache.error(), make_error_code(Errc::corrupt_checkpoint)) << text;
    }
}

// ---- the Log keeps it ---------------------------------------------------------------------

class LogLeaderEpochTest : public LogFixture {
  protected:
    std::string checkpoint() const { return log_dir() + "/" + kLeaderEpochCheckpointFile; }

    // Appends one producer batch of `count` records stamped with leader epoch `epoch`.
    void append_at_epoch(Log& log, int count, int32_t epoch) {
        auto batch = make_simple_batch(count, clock_.now(), 100);
        auto info = log.append_as_leader(batch, epoch);
        ASSERT_TRUE(info) << info.error().message();
    }
    // A replicated batch of `count` records at `base` written in `epoch`.
    static std::vector<uint8_t> replicated(int64_t base, int count, int32_t epoch) {
        std::vector<TestRecord> records(static_cast<size_t>(count), TestRecord{"k", "v", {}, 1});
        BatchOptions options;
        options.base_offset = base;
        options.partition_leader_epoch = epoch;
        return make_batch(records, options);
    }
};

TEST_F(LogLeaderEpochTest, LeaderAppendsStartTheirEpochAtTheBatchBaseOffset) {
    auto log = open_log();
    append_at_epoch(*log, 4, 0);
    append_at_epoch(*log, 2, 0);
    append_at_epoch(*log, 3, 2);
    EXPECT_EQ(log->epoch_entries(), (Entries{{0, 0}, {2, 6}}));
    EXPECT_EQ(log->latest_epoch(), 2);
    EXPECT_EQ(text_of(checkpoint()), "0\n2\n0 0\n2 6\n");
}

TEST_F(LogLeaderEpochTest, FollowerAppendsStartEachNewerPartitionLeaderEpoch) {
    auto log = open_log();
    auto batches = concat(
        {replicated(0, 2, -1), replicated(2, 2, 1), replicated(4, 3, 1), replicated(7, 1, 4)});
    auto info = log->append_as_follower(batches);
    ASSERT_TRUE(info) << info.error().message();
    EXPECT_EQ(log->log_end_offset(), 8);
    EXPECT_EQ(log->epoch_entries(), (Entries{{1, 2}, {4, 7}}));
    // An older epoch arriving later (it cannot, from a sane leader) does not rewrite history.
    ASSERT_TRUE(log->append_as_follower(replicated(8, 1, 3)));
    EXPECT_EQ(log->epoch_entries(), (Entries{{1, 2}, {4, 7}}));
}

TEST_F(LogLeaderEpochTest, NewLeaderEpochStartsAtTheGivenLogEndOffset) {
    auto log = open_log();
    append_at_epoch(*log, 5, 0);
    ASSERT_TRUE(log->assign_epoch_start_offset(3, log->log_end_offset()));
    EXPECT_EQ(log->epoch_entries(), (Entries{{0, 0}, {3, 5}}));
    EXPECT_EQ(log->end_offset_for_epoch(0), (EpochEndOffset{0, 5}));
    EXPECT_EQ(log->end_offset_for_epoch(3), (EpochEndOffset{3, 5}));
    append_at_epoch(*log, 2, 3);  // already started: no new entry
    EXPECT_EQ(log->epoch_entries(), (Entries{{0, 0}, {3, 5}}));
    EXPECT_EQ(log->end_offset_for_epoch(3), (EpochEndOffset{3, 7}));
    EXPECT_EQ(log->epoch_for_offset(6), 3);
}

TEST_F(LogLeaderEpochTest, TruncateToDropsTheEpochsFromTheNewLogEnd) {
    auto log = open_log();
    append_at_epoch(*log, 4, 0);
    append_at_epoch(*log, 4, 1);
    append_at_epoch(*log, 4, 2);
    ASSERT_TRUE(log->truncate_to(6));  // inside epoch 1's batch [4, 7]: the batch goes
    EXPECT_EQ(log->log_end_offset(), 4);
    EXPECT_EQ(log->epoch_entries(), (Entries{{0, 0}}));
    EXPECT_EQ(text_of(checkpoint()), "0\n1\n0 0\n");
}

TEST_F(LogLeaderEpochTest, TruncateAtTheLogEndDropsAnEpochThatWroteNothing) {
    auto log = open_log();
    append_at_epoch(*log, 4, 0);
    ASSERT_TRUE(log->assign_epoch_start_offset(5, 4));  // led at epoch 5, wrote nothing
    auto truncated = log->truncate_to(4);
    ASSERT_TRUE(truncated);
    EXPECT_FALSE(truncated.value());
    EXPECT_EQ(log->epoch_entries(), (Entries{{0, 0}}));
}

TEST_F(LogLeaderEpochTest, TruncateFullyClearsTheEpochs) {
    auto log = open_log();
    append_at_epoch(*log, 4, 0);
    ASSERT_TRUE(log->truncate_fully_and_start_at(100));
    EXPECT_TRUE(log->epoch_entries().empty());
    EXPECT_EQ(text_of(checkpoint()), "0\n0\n");
}

TEST_F(LogLeaderEpochTest, DeleteRecordsMovesTheFirstEpochToTheNewLogStart) {
    auto log = open_log();
    append_at_epoch(*log, 4, 0);
    append_at_epoch(*log, 4, 1);
    log->update_high_watermark(8);
    ASSERT_TRUE(log->maybe_increment_log_start_offset(2));
    EXPECT_EQ(log->epoch_entries(), (Entries{{0, 2}, {1, 4}}));
    ASSERT_TRUE(log->maybe_increment_log_start_offset(6));
    EXPECT_EQ(log->epoch_entries(), (Entries{{1, 6}}));
}

TEST_F(LogLeaderEpochTest, RetentionMovesTheFirstEpochToTheNewLogStart) {
    config_.segment_bytes = 600;
    config_.retention_bytes = 600;
    auto log = open_log();
    for (int i = 0; i < 6; ++i) {
        append_at_epoch(*log, 2, i < 3 ? 0 : 1);  // epoch 1 starts at 6
    }
    ASSERT_GE(log->number_of_segments(), 3u);
    log->update_high_watermark(log->log_end_offset());
    auto deleted = log->delete_old_segments();
    ASSERT_TRUE(deleted && deleted.value() > 0);
    int64_t start = log->log_start_offset();
    ASSERT_GT(start, 0);
    auto entries = log->epoch_entries();
    ASSERT_FALSE(entries.empty());
    EXPECT_EQ(entries.front().start_offset, start);
    EXPECT_EQ(entries.back(), (EpochEntry{1, std::max<int64_t>(6, start)}));
}

TEST_F(LogLeaderEpochTest, EpochsSurviveACleanReopen) {
    auto log = open_log();
    append_at_epoch(*log, 3, 0);
    append_at_epoch(*log, 3, 5);
    ASSERT_TRUE(log->close());
    log.reset();
    log = open_log(/*clean=*/true);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->epoch_entries(), (Entries{{0, 0}, {5, 3}}));
}

TEST_F(LogLeaderEpochTest, ANewLeadersEpochReachesTheFileOnFlushAndOnClose) {
    auto log = open_log();
    append_at_epoch(*log, 3, 0);
    ASSERT_TRUE(log->flush());
    ASSERT_TRUE(log->assign_epoch_start_offset(4, log->log_end_offset()));
    EXPECT_EQ(text_of(checkpoint()), "0\n1\n0 0\n");  // not yet: nothing of epoch 4 is durable
    append_at_epoch(*log, 2, 4);
    ASSERT_TRUE(log->flush());  // the recovery point passes epoch 4's records: its entry first
    EXPECT_EQ(text_of(checkpoint()), "0\n2\n0 0\n4 3\n");
    ASSERT_TRUE(log->assign_epoch_start_offset(6, log->log_end_offset()));
    append_at_epoch(*log, 1, 6);  // (an epoch that wrote nothing is trimmed on load, as Kafka)
    ASSERT_TRUE(log->close());
    log.reset();
    log = open_log(/*clean=*/true);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->epoch_entries(), (Entries{{0, 0}, {4, 3}, {6, 5}}));
}

TEST_F(LogLeaderEpochTest, UncleanRecoveryRebuildsADeletedCheckpointFromTheBatches) {
    auto log = open_log();
    append_at_epoch(*log, 3, 0);
    append_at_epoch(*log, 3, 0);
    append_at_epoch(*log, 2, 2);
    append_at_epoch(*log, 2, 7);
    ASSERT_TRUE(log->close());
    log.reset();
    fs::remove(checkpoint());
    log = open_log(/*clean=*/false);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->epoch_entries(), (Entries{{0, 0}, {2, 6}, {7, 8}}));
    EXPECT_EQ(text_of(checkpoint()), "0\n3\n0 0\n2 6\n7 8\n");
}

TEST_F(LogLeaderEpochTest, UncleanRecoveryAddsOnlyEpochsAboveTheCheckpointedLatest) {
    auto log = open_log();
    append_at_epoch(*log, 3, 0);
    append_at_epoch(*log, 3, 2);
    append_at_epoch(*log, 3, 4);
    ASSERT_TRUE(log->close());
    log.reset();
    // As if the crash came before the last epoch reached the file.
    write_text(checkpoint(), "0\n2\n0 0\n2 3\n");
    log = open_log(/*clean=*/false);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->epoch_entries(), (Entries{{0, 0}, {2, 3}, {4, 6}}));
}

TEST_F(LogLeaderEpochTest, RecoveryTrimsEpochsBeyondTheRecoveredLogEnd) {
    auto log = open_log();
    append_at_epoch(*log, 3, 0);
    int64_t first_batch_end = log->size_in_bytes();
    append_at_epoch(*log, 3, 2);
    append_at_epoch(*log, 3, 4);
    ASSERT_TRUE(log->close());
    log.reset();
    // A torn write: everything after the first batch is garbage.
    fs::resize_file(log_dir() + "/" + offset_file_name(0, kLogFileSuffix),
                    static_cast<uintmax_t>(first_batch_end + 20));
    log = open_log(/*clean=*/false);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->log_end_offset(), 3);
    EXPECT_EQ(log->epoch_entries(), (Entries{{0, 0}}));
    // The trim follows from the segments on disk, so it is written at the next sync (here the
    // close), not with two fsyncs per log during the load.
    const std::string stale = text_of(checkpoint());
    EXPECT_EQ(stale, "0\n3\n0 0\n2 3\n4 6\n");
    ASSERT_TRUE(log->close());
    EXPECT_EQ(text_of(checkpoint()), "0\n1\n0 0\n");
    log.reset();
    // A crash before that sync leaves the stale file: the next load trims it again.
    write_text(checkpoint(), stale);
    log = open_log(/*clean=*/false);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->epoch_entries(), (Entries{{0, 0}}));
}

TEST_F(LogLeaderEpochTest, AnUnsyncedTrimIsOverriddenByTheNextEpochAtTheLogEnd) {
    auto log = open_log();
    append_at_epoch(*log, 3, 0);
    int64_t first_batch_end = log->size_in_bytes();
    append_at_epoch(*log, 3, 4);
    ASSERT_TRUE(log->close());
    log.reset();
    fs::resize_file(log_dir() + "/" + offset_file_name(0, kLogFileSuffix),
                    static_cast<uintmax_t>(first_batch_end + 20));
    log = open_log(/*clean=*/false);
    ASSERT_TRUE(log);
    ASSERT_EQ(log->epoch_entries(), (Entries{{0, 0}}));
    // A later leader's records at the end offset (epoch 5 from offset 3) replace what the file
    // still holds beyond it; a crash after they are flushed finds them, not the stale epoch 4.
    append_at_epoch(*log, 2, 5);
    ASSERT_TRUE(log->flush());
    EXPECT_EQ(text_of(checkpoint()), "0\n2\n0 0\n5 3\n");
}

TEST_F(LogLeaderEpochTest, RebuiltIndexAlsoRebuildsEpochsAfterACleanShutdown) {
    auto log = open_log();
    append_at_epoch(*log, 3, 1);
    append_at_epoch(*log, 3, 3);
    ASSERT_TRUE(log->close());
    log.reset();
    fs::remove(checkpoint());
    fs::remove(log_dir() + "/" + offset_file_name(0, kIndexFileSuffix));
    log = open_log(/*clean=*/true);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->epoch_entries(), (Entries{{1, 0}, {3, 3}}));
}

TEST_F(LogLeaderEpochTest, CleanOpenDoesNotRebuildAMissingCheckpoint) {
    // Kafka's rule: only recovered segments feed the cache; a new leader re-adds its epoch.
    auto log = open_log();
    append_at_epoch(*log, 3, 1);
    ASSERT_TRUE(log->close());
    log.reset();
    fs::remove(checkpoint());
    log = open_log(/*clean=*/true);
    ASSERT_TRUE(log);
    EXPECT_TRUE(log->epoch_entries().empty());
}

TEST_F(LogLeaderEpochTest, MalformedCheckpointFailsTheOpen) {
    auto log = open_log();
    append_at_epoch(*log, 1, 0);
    ASSERT_TRUE(log->close());
    log.reset();
    write_text(checkpoint(), "0\n5\n0 0\n");
    auto reopened = Log::open(log_dir(), {"topic", 0}, config_, 0, true, clock_.clock());
    ASSERT_FALSE(reopened);
    EXPECT_EQ(reopened.error(), make_error_code(Errc::corrupt_checkpoint));
}

}  // namespace
}  // namespace samsa::log::test
