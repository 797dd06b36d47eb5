// Compaction: what a cleaning pass keeps, which logs it chooses, and its checkpoint.
#include "broker/log/checkpoint_file.h"
#include "broker/log/errc.h"
#include "tests/unit/log/cleaner_fixture.h"

namespace samsa::log::test {
namespace {

using protocol::CompressionType;

class LogCleanerTest : public CleanerFixture {};

TEST_F(LogCleanerTest, KeepsTheLatestValuePerKeyAndPreservesOffsets) {
    config_.segment_bytes = 300;
    open();
    for (int i = 0; i < 30; ++i) {
        put("k" + std::to_string(i % 3), "v" + std::to_string(i));
    }
    roll_and_commit();
    size_t segments_before = log_->number_of_segments();
    int64_t size_before = log_->size_in_bytes();
    ASSERT_GT(segments_before, 5u);

    auto cleaner = make_cleaner();
    auto cleaned = cleaner->clean_once();
    ASSERT_TRUE(cleaned) << cleaned.error().message();
    ASSERT_TRUE(cleaned.value());

    EXPECT_EQ(records(),
              (std::vector<KeyedRecord>{{27, "k0", "v27"}, {28, "k1", "v28"}, {29, "k2", "v29"}}));
    EXPECT_EQ(log_->log_end_offset(), 30);
    EXPECT_EQ(log_->log_start_offset(), 0);
    // Each old segment was full: each is its own group, cleaned in place (later passes merge
    // the small cleaned segments, up to segment.bytes).
    EXPECT_EQ(log_->number_of_segments(), segments_before);
    EXPECT_LT(log_->size_in_bytes(), size_before / 5);
    EXPECT_EQ(cleaner->checkpoints().at({"topic", 0}), 30);
    EXPECT_TRUE(files_with_suffix(".cleaned").empty());
    EXPECT_TRUE(files_with_suffix(".swap").empty());
    // Offsets past the hole still read: a consumer at 5 gets the next record kept.
    auto data = log_->read(5, INT32_MAX, 30, true);
    ASSERT_TRUE(data);
    auto bytes = bytes_of(data.value());
    EXPECT_EQ(batch_offsets(bytes).front().first, 27);
    // Nothing dirty is left: the next pass has nothing to do.
    EXPECT_FALSE(cleaner->clean_once().value());
    // New data: the next pass also merges the small cleaned segments.
    put("k0", "v30");
    roll_and_commit();
    ASSERT_TRUE(cleaner->clean_once().value());
    EXPECT_LE(log_->number_of_segments(), 2u);
    EXPECT_EQ(records(),
              (std::vector<KeyedRecord>{{28, "k1", "v28"}, {29, "k2", "v29"}, {30, "k0", "v30"}}));
}

TEST_F(LogCleanerTest, AppendsAfterCleaningContinueTheOffsets) {
    open();
    put("a", "1");
    put("a", "2");
    roll_and_commit();
    ASSERT_TRUE(make_cleaner()->clean_once().value());
    EXPECT_EQ(put("a", "3"), 2);
    EXPECT_EQ(records(), (std::vector<KeyedRecord>{{1, "a", "2"}, {2, "a", "3"}}));
}

TEST_F(LogCleanerTest, NothingAtOrAboveTheHighWatermarkOrInTheActiveSegmentIsCleaned) {
    open();
    put("a", "1");
    put("a", "2");
    // Everything in the active segment: nothing cleanable.
    log_->update_high_watermark(log_->log_end_offset());
    EXPECT_FALSE(make_cleaner()->clean_once().value());
    // Rolled but the HW is at 1: only offset 0 is dirty, and it is the latest of "a" there.
    ASSERT_TRUE(log_->roll());
    log_->update_high_watermark(1);
    auto cleaner = make_cleaner();
    ASSERT_TRUE(cleaner->clean_once().value());
    EXPECT_EQ(records().size(), 2u);
    EXPECT_EQ(cleaner->checkpoints().at({"topic", 0}), 1);
    log_->update_high_watermark(2);
    ASSERT_TRUE(cleaner->clean_once().value());
    EXPECT_EQ(records(), (std::vector<KeyedRecord>{{1, "a", "2"}}));
}

TEST_F(LogCleanerTest, TombstonesStayForDeleteRetentionMsAfterTheirSegmentWasCleaned) {
    config_.delete_retention_ms = 1000;
    open();
    const int64_t t = 1'700'000'000'000;
    put("k1", "a");
    put("k2", "b");
    put("k1", std::nullopt);
    roll_and_commit();
    set_mtime(0, t);
    auto cleaner = make_cleaner();
    // First pass: nothing was clean before, so the horizon is 0 and the tombstone stays.
    ASSERT_TRUE(cleaner->clean_once().value());
    EXPECT_EQ(records(), (std::vector<KeyedRecord>{{1, "k2", "b"}, {2, "k1", std::nullopt}}));

    // A newer segment, cleaned: the horizon is now the first segment's mtime - 1000, and
    // the tombstone's segment is not older than that.
    put("k3", "c");
    roll_and_commit();
    set_mtime(3, t + 5000);
    ASSERT_TRUE(cleaner->clean_once().value());
    EXPECT_EQ(records().size(), 3u);

    // Once the last clean segment is more than delete.retention.ms younger, it goes.
    put("k4", "d");
    roll_and_commit();
    set_mtime(4, t + 6000);
    ASSERT_TRUE(cleaner->clean_once().value());
    EXPECT_EQ(records(),
              (std::vector<KeyedRecord>{{1, "k2", "b"}, {3, "k3", "c"}, {4, "k4", "d"}}));
}

// A steady trickle of new segments, each written less than delete.retention.ms after the
// previous one and small enough to be merged with the cleaned segments before it. The
// tombstone's segment must keep its own mtime through those merges: if it took the mtime of
// the newer segments it is merged with, it would never fall delete.retention.ms behind the
// last clean segment, and the tombstone would stay forever.
TEST_F(LogCleanerTest, TombstonesGoDespiteMergesWithNewerSegments) {
    config_.delete_retention_ms = 1000;
    open();
    const int64_t t = 1'700'000'000'000;
    put("k1", "a");
    put("k1", std::nullopt);
    roll_and_commit();
    set_mtime(0, t);
    auto cleaner = make_cleaner();
    ASSERT_TRUE(cleaner->clean_once().value());
    ASSERT_EQ(records(), (std::vector<KeyedRecord>{{1, "k1", std::nullopt}}));

    auto has_tombstone = [&] {
        for (const auto& r : records()) {
            if (r.key == "k1") {
                return true;
            }
        }
        return false;
    };
    // New segments every 400 ms (well within segment.bytes together). Within
    // delete.retention.ms of the tombstone's segment, it must stay.
    int64_t mtime = t;
    int step = 0;
    while (has_tombstone() && step < 20) {
        ++step;
        mtime += 400;
        int64_t base = put("filler", "f" + std::to_string(step));
        roll_and_commit();
        set_mtime(base, mtime);
        ASSERT_TRUE(cleaner->clean_once().value()) << "step " << step;
        if (mtime - t < config_.delete_retention_ms) {
            EXPECT_TRUE(has_tombstone()) << "gone too early, at step " << step;
        }
    }
    EXPECT_FALSE(has_tombstone()) << "still there after " << step << " segments, " << (mtime - t)
                                  << " ms of mtimes";
    // Dropped by the first pass whose last clean segment is delete.retention.ms younger: the
    // one after the segment with mtime t + 1200 was cleaned.
    EXPECT_EQ(step, 4);
    EXPECT_EQ(records().back(), (KeyedRecord{step + 1, "filler", "f" + std::to_string(step)}));
}

TEST_F(LogCleanerTest, MinCompactionLagKeepsRecentSegmentsDirty) {
    config_.min_compaction_lag_ms = 10000;
    open();
    const int64_t now = clock_.now();
    put("k", "old", now - 20000);
    ASSERT_TRUE(log_->roll());
    put("k", "new", now);
    roll_and_commit();
    auto cleaner = make_cleaner();
    // Only the first segment is old enough: "old" is the latest value there, so it stays.
    ASSERT_TRUE(cleaner->clean_once().value());
    EXPECT_EQ(records().size(), 2u);
    EXPECT_EQ(cleaner->checkpoints().at({"topic", 0}), 1);
    EXPECT_FALSE(cleaner->clean_once().value());
    clock_.advance(10001);
    ASSERT_TRUE(cleaner->clean_once().value());
    EXPECT_EQ(records(), (std::vector<KeyedRecord>{{1, "k", "new"}}));
}

TEST_F(LogCleanerTest, MaxCompactionLagCleansBelowTheDirtyRatio) {
    config_.min_cleanable_dirty_ratio = 0.99;
    open();
    const int64_t now = clock_.now();
    for (int i = 0; i < 10; ++i) {
        put("k" + std::to_string(i), "v", now - 50000);
    }
    roll_and_commit();
    auto cleaner = make_cleaner();
    ASSERT_TRUE(cleaner->clean_once().value());  // all dirty: ratio 1
    put("k1", "v2", now - 50000);
    roll_and_commit();
    EXPECT_FALSE(cleaner->clean_once().value());  // ratio well below 0.99
    LogConfig lagged = log_->config();
    lagged.max_compaction_lag_ms = 10000;
    log_->update_config(lagged);
    ASSERT_TRUE(cleaner->clean_once().value());
    EXPECT_EQ(records().size(), 10u);
}

TEST_F(LogCleanerTest, DeletePolicyOnlyLogsAreNotCleaned) {
    config_.cleanup_policy_compact = false;
    config_.cleanup_policy_delete = true;
    open();
    put("a", "1");
    put("a", "2");
    roll_and_commit();
    auto cleaner = make_cleaner();
    EXPECT_FALSE(cleaner->clean_once().value());
    // cleanup.policy changed to compact: the next pass cleans.
    LogConfig compacted = log_->config();
    compacted.cleanup_policy_compact = true;
    log_->update_config(compacted);
    EXPECT_TRUE(cleaner->clean_once().value());
    EXPECT_EQ(records().size(), 1u);
}

TEST_F(LogCleanerTest, KeylessRecordsInOldDataAreDropped) {
    config_.cleanup_policy_compact = false;
    open();
    auto batch = make_batch({{std::nullopt, std::string("no key"), {}, 0},
                             {std::string("k"), std::string("v"), {}, 0}});
    ASSERT_TRUE(log_->append_as_leader(batch, 0));
    roll_and_commit();
    LogConfig compacted = log_->config();
    compacted.cleanup_policy_compact = true;
    log_->update_config(compacted);
    ASSERT_TRUE(make_cleaner()->clean_once().value());
    EXPECT_EQ(records(), (std::vector<KeyedRecord>{{1, "k", "v"}}));
}

TEST_F(LogCleanerTest, TheLastBatchOfAProducerStaysAsAnEmptyBatch) {
    open();
    BatchOptions idempotent;
    idempotent.producer_id = 5;
    idempotent.producer_epoch = 2;
    idempotent.base_sequence = 10;
    put_batch({{"a", "1"}, {"b", "1"}}, CompressionType::none, 0, idempotent);
    put("a", "2");
    put("b", "2");
    roll_and_commit();
    ASSERT_TRUE(make_cleaner()->clean_once().value());
    std::vector<uint8_t> storage;
    auto kept = batches(storage);
    ASSERT_EQ(kept.size(), 3u);
    EXPECT_EQ(kept[0].record_count(), 0);
    EXPECT_EQ(kept[0].base_offset(), 0);
    EXPECT_EQ(kept[0].last_offset(), 1);
    EXPECT_EQ(kept[0].producer_id(), 5);
    EXPECT_EQ(kept[0].producer_epoch(), 2);
    EXPECT_EQ(kept[0].base_sequence(), 10);
    EXPECT_TRUE(kept[0].is_valid_crc());
    EXPECT_EQ(records(), (std::vector<KeyedRecord>{{2, "a", "2"}, {3, "b", "2"}}));
}

TEST_F(LogCleanerTest, PartiallyKeptBatchKeepsItsHeader) {
    open();
    BatchOptions idempotent;
    idempotent.producer_id = 9;
    idempotent.producer_epoch = 0;
    idempotent.base_sequence = 0;
    put_batch({{"a", "1"}, {"b", "1"}, {"c", "1"}}, CompressionType::none, 0, idempotent);
    put("b", "2");
    roll_and_commit();
    ASSERT_TRUE(make_cleaner()->clean_once().value());
    std::vector<uint8_t> storage;
    auto kept = batches(storage);
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_EQ(kept[0].base_offset(), 0);
    EXPECT_EQ(kept[0].last_offset(), 2);  // the original lastOffsetDelta
    EXPECT_EQ(kept[0].record_count(), 2);
    EXPECT_EQ(kept[0].producer_id(), 9);
    EXPECT_EQ(records(), (std::vector<KeyedRecord>{{0, "a", "1"}, {2, "c", "1"}, {3, "b", "2"}}));
}

class CompressedCleaning : public CleanerFixture,
                           public ::testing::WithParamInterface<CompressionType> {};

TEST_P(CompressedCleaning, CompressedBatchesAreCleanedAndWrittenBackWithTheirCodec) {
    auto& f = *this;
    f.open();
    f.put_batch({{"k1", "a"}, {"k2", "b"}, {"k1", "c"}}, GetParam());
    f.put_batch({{"k2", "d"}, {"k3", "e"}}, GetParam());
    f.put_batch({{"k3", std::nullopt}}, GetParam());
    f.roll_and_commit();
    ASSERT_TRUE(f.make_cleaner()->clean_once().value());
    EXPECT_EQ(f.records(),
              (std::vector<KeyedRecord>{{2, "k1", "c"}, {3, "k2", "d"}, {5, "k3", std::nullopt}}));
    std::vector<uint8_t> storage;
    auto kept = f.batches(storage);
    ASSERT_EQ(kept.size(), 3u);
    for (const auto& b : kept) {
        EXPECT_EQ(b.compression(), GetParam());
        EXPECT_TRUE(b.is_valid_crc());
    }
    EXPECT_EQ(kept[0].base_offset(), 0);
    EXPECT_EQ(kept[0].last_offset(), 2);
    EXPECT_EQ(kept[0].record_count(), 1);
}

TEST_P(CompressedCleaning, KeylessCompressedRecordsAreRefusedOnCompactedTopics) {
    auto& f = *this;
    f.open();
    auto batch = make_batch(
        {{std::string("k"), std::string("v"), {}, 0}, {std::nullopt, std::string("v"), {}, 0}});
    batch = protocol::compress_batch(batch, GetParam()).value();
    auto r = f.log_->append_as_leader(batch, 0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(Errc::invalid_record));
}

INSTANTIATE_TEST_SUITE_P(Codecs, CompressedCleaning,
                         ::testing::Values(CompressionType::gzip, CompressionType::snappy,
                                           CompressionType::lz4, CompressionType::zstd));

TEST_F(LogCleanerTest, CheckpointIsWrittenAndReadBack) {
    open();
    put("a", "1");
    put("a", "2");
    roll_and_commit();
    ASSERT_TRUE(make_cleaner()->clean_once().value());
    auto read = CheckpointFile(dir_ / kCleanerOffsetCheckpointFile).read();
    ASSERT_TRUE(read);
    EXPECT_EQ(read.value().at({"topic", 0}), 2);
    // A new cleaner (a restart) starts from the checkpoint: nothing dirty.
    auto again = make_cleaner();
    EXPECT_EQ(again->checkpoints().at({"topic", 0}), 2);
    EXPECT_FALSE(again->clean_once().value());
}

TEST_F(LogCleanerTest, AFullOffsetMapCleansInSeveralPasses) {
    config_.segment_bytes = 400;
    open();
    for (int i = 0; i < 40; ++i) {
        put("k" + std::to_string(i % 20), "v" + std::to_string(i));
    }
    roll_and_commit();
    auto cleaner = make_cleaner(24 * 10);  // 9 keys fit
    int passes = 0;
    while (cleaner->clean_once().value()) {
        ++passes;
        ASSERT_LT(passes, 20);
    }
    EXPECT_GT(passes, 1);
    auto kept = records();
    ASSERT_EQ(kept.size(), 20u);
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(kept[static_cast<size_t>(i)].offset, 20 + i);
    }
}

TEST_F(LogCleanerTest, SwapIsAbortedWhenTheLogLostSegmentsMeanwhile) {
    open();
    put("a", "1");
    roll_and_commit();
    put("a", "2");
    roll_and_commit();
    auto snapshot = log_->cleaning_snapshot();
    ASSERT_EQ(snapshot.segments.size(), 2u);
    ASSERT_TRUE(log_->truncate_to(1));
    auto r = log_->replace_segments({}, snapshot, 0, 1);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), make_error_code(Errc::cleaning_aborted));
}

TEST_F(LogCleanerTest, CleanerThreadsCleanInTheBackgroundWhileAppendsContinue) {
    config_.segment_bytes = 500;
    open();
    CleanerConfig cc;
    cc.dedupe_buffer_size = 1 << 20;
    cc.backoff_ms = 10;
    cc.num_threads = 2;
    LogCleaner cleaner(
        cc, {dir_.path()},
        [this] {
            return std::vector<CleanerLog>{{{"topic", 0}, log_, dir_.path()}};
        },
        clock_.clock());
    cleaner.startup();
    for (int i = 0; i < 2000; ++i) {
        put("k" + std::to_string(i % 5), "v" + std::to_string(i));
        log_->update_high_watermark(log_->log_end_offset());
    }
    ASSERT_TRUE(log_->roll());
    log_->update_high_watermark(log_->log_end_offset());
    for (int i = 0; i < 500 && records().size() > 5; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    cleaner.shutdown();
    auto kept = records();
    ASSERT_EQ(kept.size(), 5u);
    for (size_t i = 0; i < 5; ++i) {
        EXPECT_EQ(kept[i].offset, 1995 + static_cast<int64_t>(i));
    }
}

TEST_F(LogCleanerTest, ReconfigureRestartsTheThreadsWithTheNewSettings) {
    config_.segment_bytes = 500;
    open();
    CleanerConfig cc;
    cc.dedupe_buffer_size = 1 << 20;
    cc.backoff_ms = 60'000;  // once idle, the threads would not look again for a minute
    cc.num_threads = 1;
    LogCleaner cleaner(
        cc, {dir_.path()},
        [this] {
            return std::vector<CleanerLog>{{{"topic", 0}, log_, dir_.path()}};
        },
        clock_.clock());
    cleaner.startup();
    EXPECT_EQ(cleaner.running_threads(), 1u);

    CleanerConfig next = cc;
    next.num_threads = 2;
    next.backoff_ms = 10;
    next.max_io_bytes_per_second = 1e9;
    next.enable = false;  // static: ignored
    cleaner.reconfigure(next);
    EXPECT_EQ(cleaner.running_threads(), 2u);
    EXPECT_EQ(cleaner.config().num_threads, 2);
    EXPECT_EQ(cleaner.config().backoff_ms, 10);
    EXPECT_EQ(cleaner.config().max_io_bytes_per_second, 1e9);
    EXPECT_TRUE(cleaner.config().enable);

    // The new threads clean (with the old 60 s backoff nothing would happen in time).
    for (int i = 0; i < 200; ++i) {
        put("k" + std::to_string(i % 4), "v" + std::to_string(i));
    }
    ASSERT_TRUE(log_->roll());
    log_->update_high_watermark(log_->log_end_offset());
    for (int i = 0; i < 500 && records().size() > 4; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(records().size(), 4u);

    cleaner.shutdown();
    EXPECT_EQ(cleaner.running_threads(), 0u);
    // After shutdown a reconfiguration takes the settings but starts nothing.
    next.num_threads = 3;
    cleaner.reconfigure(next);
    EXPECT_EQ(cleaner.running_threads(), 0u);
    EXPECT_EQ(cleaner.config().num_threads, 3);
}

TEST_F(LogCleanerTest, ReconfiguringAStoppedCleanerStartsNothing) {
    open();
    auto cleaner = make_cleaner();
    CleanerConfig next = cleaner->config();
    next.num_threads = 2;
    cleaner->reconfigure(next);
    EXPECT_EQ(cleaner->running_threads(), 0u);
    // And passes on the caller's thread still work (nothing is left stopping).
    put("a", "1");
    put("a", "2");
    roll_and_commit();
    ASSERT_TRUE(cleaner->clean_once().value());
}

}  // namespace
}  // namespace samsa::log::test
