// ReplicaManager's LeaderAndIsr handling of topic ids (KIP-516, ZK-MODE.md §c): the id is
// recorded in partition.metadata, a different one is INCONSISTENT_TOPIC_ID.
#include "broker/replica/replica_manager.h"

#include "broker/log/leader_epoch_file_cache.h"
#include "broker/log/log_manager.h"
#include "broker/log/partition_metadata_file.h"
#include "broker/protocol/generated/leader_and_isr_request.h"
#include "broker/protocol/generated/leader_and_isr_response.h"
#include "tests/unit/log/test_util.h"
#include "zk/uuid.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace samsa::replica {
namespace {

namespace fs = std::filesystem;

using protocol::ErrorCode;
using Request = protocol::LeaderAndIsrRequestData;

constexpr int32_t kLocal = 1;
const zk::Uuid kTopicId(0x1234567890abcdefULL, 0x0fedcba987654321ULL);
const zk::Uuid kOtherTopicId(0x1111111111111111ULL, 0x2222222222222222ULL);

class ReplicaManagerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        log::LogManagerConfig config;
        config.log_dirs = {dir_ / "logs"};
        auto logs = log::LogManager::open(config, log::system_clock());
        ASSERT_TRUE(logs) << logs.error().message();
        logs_ = std::move(logs).value();
        replicas_ = std::make_unique<ReplicaManager>(
            kLocal, *logs_, metadata_, log::LogConfig{},
            [](const std::string&) { return std::map<std::string, std::string>{}; }, 5000);
    }

    // A v5 LeaderAndIsr making us leader of t-0 at `leader_epoch`.
    static Request lead(const zk::Uuid& topic_id, int32_t leader_epoch) {
        Request request;
        request.controller_id = 0;
        request.controller_epoch = 1;
        Request::LeaderAndIsrTopicState topic;
        topic.topic_name = "t";
        topic.topic_id = topic_id.bytes();
        Request::LeaderAndIsrPartitionState p;
        p.partition_index = 0;
        p.controller_epoch = 1;
        p.leader = kLocal;
        p.leader_epoch = leader_epoch;
        p.isr = {kLocal};
        p.replicas = {kLocal};
        topic.partition_states.push_back(p);
        request.topic_states.push_back(topic);
        return request;
    }
    ErrorCode send(const Request& request) {
        auto response = replicas_->become_leader_or_follower(request, 5);
        EXPECT_EQ(response.topics.size(), 1u);
        EXPECT_EQ(response.topics.at(0).partition_errors.size(), 1u);
        return static_cast<ErrorCode>(response.topics.at(0).partition_errors.at(0).error_code);
    }
    std::string partition_dir() const { return dir_ / "logs/t-0"; }

    log::test::TempDir dir_;
    std::unique_ptr<log::LogManager> logs_;
    MetadataCache metadata_;
    std::unique_ptr<ReplicaManager> replicas_;
};

TEST_F(ReplicaManagerTest, LeaderAndIsrRecordsTheTopicIdAndTheFirstEpoch) {
    EXPECT_EQ(send(lead(kTopicId, 0)), ErrorCode::none);
    auto id = log::PartitionMetadataFile(partition_dir() + "/partition.metadata").read();
    ASSERT_TRUE(id && id.value());
    EXPECT_EQ(*id.value(), kTopicId.to_string());
    // The epoch is in the cache at once, and in its file once the log is flushed or closed
    // (LeaderEpochFileCache: a new leader's entry is not fsynced on the LeaderAndIsr path).
    auto log = logs_->get_log({"t", 0});
    EXPECT_EQ(log->epoch_entries(), (std::vector<log::EpochEntry>{{0, 0}}));
    ASSERT_TRUE(log->close());
    auto epochs = log::test::read_file_bytes(partition_dir() + "/leader-epoch-checkpoint");
    EXPECT_EQ(std::string(epochs.begin(), epochs.end()), "0\n1\n0 0\n");
}

TEST_F(ReplicaManagerTest, DifferentTopicIdIsInconsistentAndChangesNothing) {
    ASSERT_EQ(send(lead(kTopicId, 0)), ErrorCode::none);
    EXPECT_EQ(send(lead(kOtherTopicId, 1)), ErrorCode::inconsistent_topic_id);
    EXPECT_EQ(replicas_->get_partition({"t", 0})->leader_epoch(), 0);
    EXPECT_EQ(logs_->get_log({"t", 0})->topic_id(), kTopicId.to_string());
    EXPECT_EQ(send(lead(kTopicId, 1)), ErrorCode::none);
    EXPECT_EQ(replicas_->get_partition({"t", 0})->leader_epoch(), 1);
}

TEST_F(ReplicaManagerTest, ZeroTopicIdMeansNoneAndWritesNothing) {
    EXPECT_EQ(send(lead(zk::kZeroUuid, 0)), ErrorCode::none);
    EXPECT_FALSE(fs::exists(partition_dir() + "/partition.metadata"));
    // A later controller that knows the id records it.
    EXPECT_EQ(send(lead(kTopicId, 1)), ErrorCode::none);
    EXPECT_EQ(logs_->get_log({"t", 0})->topic_id(), kTopicId.to_string());
    // And an id-less request still applies to a log that has one.
    EXPECT_EQ(send(lead(zk::kZeroUuid, 2)), ErrorCode::none);
}

}  // namespace
}  // namespace samsa::replica
