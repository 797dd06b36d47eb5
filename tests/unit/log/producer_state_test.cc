// Idempotent producers in the log: duplicates, gaps, stale epochs, and the state surviving
// restarts (snapshots), truncation and retention (producer_state_manager.h).
#include "broker/log/producer_state_manager.h"
#include "tests/unit/log/log_fixture.h"

#include <filesystem>

namespace samsa::log::test {
namespace {

using namespace samsa::protocol;

class ProducerStateTest : public LogFixture {
  protected:
    // One producer batch of `count` records at sequence `seq`.
    std::vector<uint8_t> batch(int64_t pid, int16_t epoch, int32_t seq, int count = 2) {
        std::vector<TestRecord> records;
        for (int i = 0; i < count; ++i) {
            records.push_back({"k" + std::to_string(i), "v", {}, clock_.now()});
        }
        BatchOptions o;
        o.producer_id = pid;
        o.producer_epoch = epoch;
        o.base_sequence = seq;
        return make_batch(records, o);
    }

    result<AppendInfo> produce(Log& log, int64_t pid, int16_t epoch, int32_t seq, int count = 2) {
        auto b = batch(pid, epoch, seq, count);
        return log.append_as_leader(b, 0);
    }
};

TEST_F(ProducerStateTest, ARetriedBatchGetsItsOriginalOffsetsAndIsNotWrittenAgain) {
    auto log = open_log();
    ASSERT_TRUE(produce(*log, 7, 0, 0));
    ASSERT_TRUE(produce(*log, 7, 0, 2));
    const int64_t end = log->log_end_offset();
    auto retry = produce(*log, 7, 0, 0);
    ASSERT_TRUE(retry);
    EXPECT_TRUE(retry.value().duplicate);
    EXPECT_EQ(retry.value().first_offset, 0);
    EXPECT_EQ(retry.value().last_offset, 1);
    EXPECT_EQ(log->log_end_offset(), end);
}

TEST_F(ProducerStateTest, ARetriedBatchIsAnsweredWithTheCurrentLogStartOffset) {
    auto log = open_log();
    ASSERT_TRUE(produce(*log, 8, 0, 0));  // offsets 0-1, another producer's
    ASSERT_TRUE(produce(*log, 7, 0, 0));  // offsets 2-3
    log->update_high_watermark(log->log_end_offset());
    ASSERT_TRUE(log->maybe_increment_log_start_offset(2));
    auto retry = produce(*log, 7, 0, 0);
    ASSERT_TRUE(retry);
    EXPECT_TRUE(retry.value().duplicate);
    EXPECT_EQ(retry.value().first_offset, 2);
    EXPECT_EQ(retry.value().log_start_offset, 2);
}

TEST_F(ProducerStateTest, OnlyTheLastFiveBatchesAreRecognisedAsDuplicates) {
    auto log = open_log();
    for (int i = 0; i < 6; ++i) {
        ASSERT_TRUE(produce(*log, 7, 0, i * 2));
    }
    auto fifth_last = produce(*log, 7, 0, 2);
    ASSERT_TRUE(fifth_last);
    EXPECT_EQ(fifth_last.value().first_offset, 2);
    // The first batch fell out of the cache: it is neither a duplicate nor in sequence.
    auto oldest = produce(*log, 7, 0, 0);
    ASSERT_FALSE(oldest);
    EXPECT_EQ(oldest.error(), make_error_code(Errc::out_of_order_sequence));
}

TEST_F(ProducerStateTest, AGapIsOutOfOrderSequence) {
    auto log = open_log();
    ASSERT_TRUE(produce(*log, 7, 0, 0));
    auto gap = produce(*log, 7, 0, 5);
    ASSERT_FALSE(gap);
    EXPECT_EQ(gap.error(), make_error_code(Errc::out_of_order_sequence));
    EXPECT_EQ(log->log_end_offset(), 2);
}

TEST_F(ProducerStateTest, AnOlderEpochIsInvalidProducerEpochAndANewOneStartsAtZero) {
    auto log = open_log();
    ASSERT_TRUE(produce(*log, 7, 3, 0));
    auto stale = produce(*log, 7, 2, 2);
    ASSERT_FALSE(stale);
    EXPECT_EQ(stale.error(), make_error_code(Errc::invalid_producer_epoch));
    auto bumped_midway = produce(*log, 7, 4, 9);
    ASSERT_FALSE(bumped_midway);
    EXPECT_EQ(bumped_midway.error(), make_error_code(Errc::out_of_order_sequence));
    ASSERT_TRUE(produce(*log, 7, 4, 0));
    EXPECT_EQ(log->producer_state(7)->epoch, 4);
}

TEST_F(ProducerStateTest, AnUnknownProducerMayStartAtAnySequence) {
    auto log = open_log();
    ASSERT_TRUE(produce(*log, 9, 0, 42));
    ASSERT_TRUE(produce(*log, 9, 0, 44));
    EXPECT_EQ(log->producer_state(9)->last_seq(), 45);
}

TEST_F(ProducerStateTest, SequencesWrapAtIntMax) {
    EXPECT_EQ(increment_sequence(INT32_MAX, 1), 0);
    EXPECT_EQ(increment_sequence(INT32_MAX - 1, 3), 1);
    auto log = open_log();
    ASSERT_TRUE(produce(*log, 7, 0, INT32_MAX - 1, 2));
    ASSERT_TRUE(produce(*log, 7, 0, 0, 2));
}

TEST_F(ProducerStateTest, StateSurvivesACleanRestartThroughTheSnapshot) {
    {
        auto log = open_log();
        ASSERT_TRUE(produce(*log, 7, 1, 0));
        ASSERT_TRUE(produce(*log, 8, 0, 10));
        ASSERT_TRUE(log->close());
    }
    EXPECT_TRUE(std::filesystem::exists(log_dir() + "/00000000000000000004.snapshot"));
    auto log = open_log();
    EXPECT_EQ(log->producer_count(), 2u);
    auto retry = produce(*log, 8, 0, 10);
    ASSERT_TRUE(retry);
    EXPECT_TRUE(retry.value().duplicate);
    EXPECT_EQ(retry.value().first_offset, 2);
    auto gap = produce(*log, 7, 1, 5);
    ASSERT_FALSE(gap);
}

TEST_F(ProducerStateTest, StateIsRebuiltFromTheLogWithoutASnapshot) {
    {
        auto log = open_log();
        ASSERT_TRUE(produce(*log, 7, 0, 0));
        ASSERT_TRUE(produce(*log, 7, 0, 2));
        ASSERT_TRUE(log->close());
    }
    for (const auto& f : std::filesystem::directory_iterator(log_dir())) {
        if (f.path().extension() == ".snapshot") {
            std::filesystem::remove(f.path());
        }
    }
    auto log = open_log(/*clean=*/false);
    auto retry = produce(*log, 7, 0, 2);
    ASSERT_TRUE(retry);
    EXPECT_TRUE(retry.value().duplicate);
    EXPECT_EQ(retry.value().first_offset, 2);
}

TEST_F(ProducerStateTest, SnapshotAtEachRollAndReplayAfterIt) {
    config_.segment_bytes = 100;  // every batch (about 80 bytes) rolls
    {
        auto log = open_log();
        for (int i = 0; i < 4; ++i) {
            ASSERT_TRUE(produce(*log, 7, 0, i * 2));
        }
        EXPECT_EQ(log->number_of_segments(), 4u);
    }
    // The destructor closed it cleanly; drop the close snapshot, as after a crash, so that
    // the newest roll snapshot (6) is loaded and the last batch replayed.
    std::filesystem::remove(log_dir() + "/00000000000000000008.snapshot");
    EXPECT_TRUE(std::filesystem::exists(log_dir() + "/00000000000000000006.snapshot"));
    auto log = open_log(/*clean=*/false);
    auto retry = produce(*log, 7, 0, 6);
    ASSERT_TRUE(retry);
    EXPECT_TRUE(retry.value().duplicate);
    EXPECT_EQ(retry.value().first_offset, 6);
    ASSERT_TRUE(produce(*log, 7, 0, 8));
}

TEST_F(ProducerStateTest, TruncationForgetsTheTruncatedBatches) {
    auto log = open_log();
    ASSERT_TRUE(produce(*log, 7, 0, 0));
    ASSERT_TRUE(produce(*log, 7, 0, 2));
    ASSERT_TRUE(log->truncate_to(2));
    EXPECT_EQ(log->producer_state(7)->last_seq(), 1);
    // The truncated batch is not a duplicate any more: it is appended again.
    auto again = produce(*log, 7, 0, 2);
    ASSERT_TRUE(again);
    EXPECT_FALSE(again.value().duplicate);
    EXPECT_EQ(again.value().first_offset, 2);
}

TEST_F(ProducerStateTest, FollowerAppendsFeedTheStateUnchecked) {
    auto leader = open_log();
    ASSERT_TRUE(produce(*leader, 7, 0, 0));
    ASSERT_TRUE(produce(*leader, 7, 0, 2));
    auto read = leader->read(0, 1 << 20, leader->log_end_offset(), true);
    ASSERT_TRUE(read);
    auto bytes = bytes_of(read.value());
    config_.segment_bytes = 1 << 20;
    auto follower_dir = dir_ / "topic-1";
    auto follower = Log::open(follower_dir, {"topic", 1}, config_, 0, true, clock_.clock());
    ASSERT_TRUE(follower);
    ASSERT_TRUE(follower.value()->append_as_follower(bytes));
    auto state = follower.value()->producer_state(7);
    ASSERT_TRUE(state);
    EXPECT_EQ(state->last_seq(), 3);
    EXPECT_EQ(state->batches.size(), 2u);
}

// A follower's divergent tail is cut when it follows a new leader, and it may then lead
// itself: every batch of the producer's five in flight that it holds must still be recognised
// (the state rebuilt by the truncation replays the log, not just the last batch), and the one
// it lost must be appended again, in sequence.
TEST_F(ProducerStateTest, AFollowerTruncatedThenPromotedRecognisesEveryRetriedBatch) {
    auto leader = open_log();
    for (int i = 0; i < 6; ++i) {
        ASSERT_TRUE(produce(*leader, 7, 0, i * 2));
    }
    auto read = leader->read(0, 1 << 20, leader->log_end_offset(), true);
    ASSERT_TRUE(read);
    const auto bytes = bytes_of(read.value());
    auto follower_log = Log::open(dir_ / "topic-1", {"topic", 1}, config_, 0, true, clock_.clock());
    ASSERT_TRUE(follower_log);
    Log& follower = *follower_log.value();
    ASSERT_TRUE(follower.append_as_follower(bytes));
    ASSERT_TRUE(follower.truncate_to(10));  // the sixth batch, never committed, goes
    ASSERT_EQ(follower.log_end_offset(), 10);
    EXPECT_EQ(follower.producer_state(7)->batches.size(), 5u);
    for (int i = 0; i < 5; ++i) {
        auto retry = produce(follower, 7, 0, i * 2);
        ASSERT_TRUE(retry) << i;
        EXPECT_TRUE(retry.value().duplicate) << i;
        EXPECT_EQ(retry.value().first_offset, i * 2);
    }
    auto lost = produce(follower, 7, 0, 10);
    ASSERT_TRUE(lost);
    EXPECT_FALSE(lost.value().duplicate);
    EXPECT_EQ(lost.value().first_offset, 10);
    EXPECT_EQ(follower.log_end_offset(), 12);
}

TEST_F(ProducerStateTest, SnapshotFormatRoundTripsAndRejectsCorruption) {
    ProducerStateManager a(dir_.path());
    auto b = batch(5, 2, 10, 3);
    MutableRecordBatchView(b).set_base_offset(100);
    a.update(RecordBatchView(b));
    std::string bytes = a.encode_snapshot();
    EXPECT_EQ(bytes.size(), 6u + 4u + 46u);
    ProducerStateManager c(dir_.path());
    ASSERT_TRUE(c.decode_snapshot(bytes));
    const auto* e = c.entry(5);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->epoch, 2);
    EXPECT_EQ(e->batches.back().first_seq, 10);
    EXPECT_EQ(e->batches.back().last_seq, 12);
    EXPECT_EQ(e->batches.back().first_offset, 100);
    EXPECT_EQ(e->batches.back().last_offset, 102);
    bytes[bytes.size() - 1] ^= 1;
    EXPECT_FALSE(c.decode_snapshot(bytes));
}

TEST_F(ProducerStateTest, ExpiryForgetsIdleProducers) {
    auto log = open_log();
    ASSERT_TRUE(produce(*log, 7, 0, 0));
    clock_.advance(1000);
    ASSERT_TRUE(produce(*log, 8, 0, 0));
    clock_.advance(600);
    EXPECT_EQ(log->expire_producers(1500), 1u);
    EXPECT_FALSE(log->producer_state(7));
    EXPECT_TRUE(log->producer_state(8));
}

}  // namespace
}  // namespace samsa::log::test
