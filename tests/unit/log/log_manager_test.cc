#include "broker/log/log_manager.h"

#include "broker/log/errc.h"
#include "tests/unit/log/test_util.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace samsa::log::test {
namespace {

namespace fs = std::filesystem;

class LogManagerTest : public ::testing::Test {
  protected:
    LogManagerConfig config(size_t dirs = 1) {
        LogManagerConfig c;
        for (size_t i = 0; i < dirs; ++i) {
            c.log_dirs.push_back(root_ / ("dir" + std::to_string(i)));
        }
        c.default_config.segment_bytes = 64 * 1024;
        c.default_config.file_delete_delay_ms = 1000;
        return c;
    }
    std::unique_ptr<LogManager> open(size_t dirs = 1) {
        auto m = LogManager::open(config(dirs), clock_.clock());
        EXPECT_TRUE(m) << m.error().message();
        return m ? std::move(m).value() : nullptr;
    }
    void produce(Log& log, int count) {
        auto batch = make_simple_batch(count, clock_.now());
        ASSERT_TRUE(log.append_as_leader(batch, 0));
    }

    TempDir root_;
    ManualClock clock_;
};

TEST_F(LogManagerTest, SecondInstanceOnTheSameDirsIsRefused) {
    auto first = open();
    ASSERT_TRUE(first);
    auto second = LogManager::open(config(), clock_.clock());
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error(), make_error_code(Errc::log_dir_locked));
    ASSERT_TRUE(first->shutdown());
    EXPECT_TRUE(LogManager::open(config(), clock_.clock())) << "the lock goes with shutdown";
}

TEST_F(LogManagerTest, LogsSurviveARestartWithTheirOffsets) {
    {
        auto m = open();
        auto log = m->get_or_create_log({"orders", 3}, LogConfig{});
        ASSERT_TRUE(log);
        produce(*log.value(), 5);
        ASSERT_TRUE(m->shutdown());
        EXPECT_TRUE(fs::exists(root_ / "dir0/.kafka_cleanshutdown"));
        EXPECT_TRUE(fs::exists(root_ / "dir0/recovery-point-offset-checkpoint"));
    }
    auto m = open();
    EXPECT_TRUE(m->had_clean_shutdown(root_ / "dir0"));
    EXPECT_FALSE(fs::exists(root_ / "dir0/.kafka_cleanshutdown")) << "deleted at start";
    auto log = m->get_log({"orders", 3});
    ASSERT_TRUE(log);
    EXPECT_EQ(log->log_end_offset(), 5);
    EXPECT_EQ(log->recovery_point(), 5);
}

TEST_F(LogManagerTest, NewLogsGoToTheDirWithFewestPartitions) {
    auto m = open(2);
    for (int p = 0; p < 4; ++p) {
        ASSERT_TRUE(m->get_or_create_log({"t", p}, LogConfig{}));
    }
    size_t in_dir0 = 0;
    for (int p = 0; p < 4; ++p) {
        in_dir0 += m->log_dir_of({"t", p}) == root_ / "dir0";
    }
    EXPECT_EQ(in_dir0, 2u);
}

TEST_F(LogManagerTest, MetaPropertiesRoundTripAcrossDirs) {
    auto m = open(2);
    auto none = m->read_broker_metadata();
    ASSERT_TRUE(none);
    EXPECT_FALSE(none.value());
    BrokerMetadata meta{1, "cluster-x"};
    ASSERT_TRUE(m->write_broker_metadata(meta));
    auto read = m->read_broker_metadata();
    ASSERT_TRUE(read && read.value());
    EXPECT_EQ(*read.value(), meta);
    ASSERT_TRUE(BrokerMetadataCheckpoint(root_ / "dir1/meta.properties").write({2, "cluster-x"}));
    EXPECT_EQ(m->read_broker_metadata().error(),
              make_error_code(Errc::inconsistent_broker_metadata));
}

TEST_F(LogManagerTest, DeleteLogRenamesThenRemovesAfterTheDelay) {
    auto m = open();
    auto log = m->get_or_create_log({"gone", 0}, LogConfig{});
    ASSERT_TRUE(log);
    produce(*log.value(), 3);
    ASSERT_TRUE(m->delete_log({"gone", 0}));
    EXPECT_FALSE(m->get_log({"gone", 0}));
    EXPECT_FALSE(fs::exists(root_ / "dir0/gone-0"));
    std::string renamed;
    for (const auto& e : fs::directory_iterator(root_ / "dir0")) {
        if (e.path().filename().string().starts_with("gone-0.")) {
            renamed = e.path().filename().string();
        }
    }
    ASSERT_EQ(renamed.size(), std::string("gone-0.").size() + 32 + std::string("-delete").size())
        << renamed;
    EXPECT_TRUE(renamed.ends_with("-delete"));
    m->delete_logs();
    EXPECT_TRUE(fs::exists(root_ / ("dir0/" + renamed))) << "file.delete.delay.ms not over";
    clock_.advance(1000);
    m->delete_logs();
    EXPECT_FALSE(fs::exists(root_ / ("dir0/" + renamed)));
    EXPECT_EQ(log.value()->log_end_offset(), 3);
    EXPECT_EQ(log.value()->read(0, 100, 3, false).error(), make_error_code(Errc::log_closed));
}

TEST_F(LogManagerTest, UncleanRestartRecoversFromTheCheckpoint) {
    {
        auto m = open();
        auto log = m->get_or_create_log({"t", 0}, LogConfig{});
        ASSERT_TRUE(log);
        produce(*log.value(), 4);
        ASSERT_TRUE(m->shutdown());
    }
    fs::remove(root_ / "dir0/.kafka_cleanshutdown");
    auto seg = root_ / "dir0/t-0/00000000000000000000.log";
    fs::resize_file(seg, fs::file_size(seg) - 3);
    auto m = open();
    EXPECT_FALSE(m->had_clean_shutdown(root_ / "dir0"));
    EXPECT_EQ(m->get_log({"t", 0})->log_end_offset(), 0);
}

TEST_F(LogManagerTest, RetentionTaskDeletesExpiredSegments) {
    auto c = config();
    c.default_config.segment_bytes = 1500;
    c.default_config.retention_ms = 1000;
    auto m = LogManager::open(c, clock_.clock());
    ASSERT_TRUE(m);
    auto log = m.value()->get_or_create_log({"t", 0}, c.default_config);
    ASSERT_TRUE(log);
    for (int i = 0; i < 8; ++i) {
        produce(*log.value(), 4);
    }
    log.value()->update_high_watermark(log.value()->log_end_offset());
    clock_.advance(5000);
    EXPECT_GT(m.value()->cleanup_logs(), 0u);
    EXPECT_EQ(log.value()->log_start_offset(), 32);
    ASSERT_TRUE(m.value()->checkpoint_log_start_offsets());
    auto starts = CheckpointFile(root_ / "dir0/log-start-offset-checkpoint").read();
    ASSERT_TRUE(starts);
    EXPECT_TRUE(starts.value().empty()) << "start equals the first segment's base";
}

TEST_F(LogManagerTest, BackgroundThreadStartsAndStops) {
    auto c = config();
    c.retention_check_interval_ms = 10;
    auto m = LogManager::open(c, clock_.clock());
    ASSERT_TRUE(m);
    m.value()->startup();
    auto log = m.value()->get_or_create_log({"t", 0}, c.default_config);
    ASSERT_TRUE(log);
    produce(*log.value(), 2);
    ASSERT_TRUE(m.value()->shutdown());
}

}  // namespace
}  // namespace samsa::log::test
