// OffsetForLeaderEpoch through KafkaApis against a real ReplicaManager and log: the answer per
// partition, the errors for partitions we do not lead or host, and Kafka 2.8's authorization
// (ClusterAction on the cluster admits every topic, otherwise Describe per topic).

#include "broker/api/errors.h"
#include "broker/api/kafka_apis.h"
#include "broker/log/log_manager.h"
#include "broker/protocol/error_code.h"
#include "broker/protocol/generated/api_table.h"
#include "broker/protocol/generated/leader_and_isr_request.h"
#include "broker/protocol/generated/leader_and_isr_response.h"
#include "broker/protocol/generated/offset_for_leader_epoch_request.h"
#include "broker/protocol/generated/offset_for_leader_epoch_response.h"
#include "broker/protocol/generated/request_header.h"
#include "broker/protocol/generated/response_header.h"
#include "broker/protocol/generated/update_metadata_request.h"
#include "broker/replica/metadata_cache.h"
#include "broker/replica/replica_manager.h"
#include "tests/unit/log/test_util.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <future>
#include <set>
#include <tuple>

namespace samsa::api {
namespace {

namespace asio = boost::asio;
using protocol::ApiKey;
using protocol::ErrorCode;
using Request = protocol::OffsetForLeaderEpochRequestData;
using Response = protocol::OffsetForLeaderEpochResponseData;

constexpr int32_t kLocal = 1;

// Allows everything except the (operation, resource type, name) triples in `denied`.
class DenyListAuthorizer final : public auth::Authorizer {
  public:
    bool authorize(const auth::Session&, auth::AclOperation op, auth::ResourceType type,
                   std::string_view name) const override {
        return !denied.contains({op, type, std::string(name)});
    }
    std::set<std::tuple<auth::AclOperation, auth::ResourceType, std::string>> denied;
};

class OffsetForLeaderEpochTest : public ::testing::Test {
  protected:
    void SetUp() override {
        log::LogManagerConfig config;
        config.log_dirs = {dir_ / "logs"};
        auto logs = log::LogManager::open(config, log::system_clock());
        ASSERT_TRUE(logs) << logs.error().message();
        logs_ = std::move(logs).value();
        replicas_ = std::make_unique<replica::ReplicaManager>(
            kLocal, *logs_, metadata_, log::LogConfig{},
            [](const std::string&) { return std::map<std::string, std::string>{}; }, 5000);
        services_.broker_id = kLocal;
        services_.replica_manager = replicas_.get();
        services_.metadata_cache = &metadata_;
        services_.authorizer = &authorizer_;
        services_.io_pool = io_.get_executor();

        // We lead t-0 at epoch 3 and t-1 is another broker's: the cluster knows both.
        lead("t", 0, 3);
        know_partition("t", 1, /*leader=*/2);
        auto partition = replicas_->get_partition(TopicPartition{"t", 0});
        ASSERT_TRUE(partition);
        batch_ = log::test::make_simple_batch(6, 1'700'000'000'000);
        ASSERT_TRUE(partition->append_records_to_leader(batch_, 1, 1));
    }

    void lead(const std::string& topic, int32_t partition, int32_t epoch) {
        protocol::LeaderAndIsrRequestData request;
        request.controller_epoch = 1;
        auto& t = request.topic_states.emplace_back();
        t.topic_name = topic;
        auto& p = t.partition_states.emplace_back();
        p.partition_index = partition;
        p.controller_epoch = 1;
        p.leader = kLocal;
        p.leader_epoch = epoch;
        p.isr = {kLocal};
        p.replicas = {kLocal};
        auto response = replicas_->become_leader_or_follower(request, 5);
        ASSERT_EQ(response.topics.at(0).partition_errors.at(0).error_code, 0);
    }

    void know_partition(const std::string& topic, int32_t partition, int32_t leader) {
        protocol::UpdateMetadataRequestData request;
        request.controller_epoch = 1;
        auto& t = request.topic_states.emplace_back();
        t.topic_name = topic;
        auto& p = t.partition_states.emplace_back();
        p.partition_index = partition;
        p.leader = leader;
        p.isr = {leader};
        p.replicas = {leader};
        metadata_.update(request);
    }

    static Request ask(const std::string& topic, int32_t partition, int32_t epoch,
                       int32_t current_leader_epoch = -1) {
        Request request;
        request.replica_id = -1;
        auto& t = request.topics.emplace_back();
        t.topic = topic;
        auto& p = t.partitions.emplace_back();
        p.partition = partition;
        p.current_leader_epoch = current_leader_epoch;
        p.leader_epoch = epoch;
        return request;
    }

    // Sends `request` at `version` through KafkaApis and decodes the answer.
    Response send(const Request& request, int16_t version) {
        const int16_t header_version =
            protocol::request_header_version(ApiKey::offset_for_leader_epoch, version);
        protocol::RequestHeaderData header;
        header.request_api_key = static_cast<int16_t>(ApiKey::offset_for_leader_epoch);
        header.request_api_version = version;
        header.correlation_id = 42;
        header.client_id = "test";
        protocol::Writer w;
        header.encode(w, header_version);
        request.encode(w, version);
        auto frame = std::make_shared<net::FrameBuffer>(w.buffer().size());
        std::copy(w.buffer().begin(), w.buffer().end(), frame->data());

        auto fut = asio::co_spawn(io_, apis_.handle(session_, frame), asio::use_future);
        io_.restart();
        io_.run();
        auto out = fut.get();
        EXPECT_FALSE(out.close_connection);
        Response response;
        if (!out.response) {
            ADD_FAILURE() << "no response";
            return response;
        }
        protocol::Reader r(out.response->buffer());
        r.read_int32();  // size
        protocol::ResponseHeaderData response_header;
        response_header.decode(
            r, protocol::response_header_version(ApiKey::offset_for_leader_epoch, version));
        EXPECT_EQ(response_header.correlation_id, 42);
        response.decode(r, version);
        EXPECT_EQ(r.remaining(), 0u);
        return response;
    }

    static Response::EpochEndOffset only(const Response& response) {
        EXPECT_EQ(response.topics.size(), 1u);
        EXPECT_EQ(response.topics.at(0).partitions.size(), 1u);
        return response.topics.at(0).partitions.at(0);
    }

    log::test::TempDir dir_;
    std::unique_ptr<log::LogManager> logs_;
    replica::MetadataCache metadata_;
    std::unique_ptr<replica::ReplicaManager> replicas_;
    DenyListAuthorizer authorizer_;
    asio::io_context io_;
    BrokerServices services_;
    KafkaApis apis_{services_};
    auth::Session session_;
    std::vector<uint8_t> batch_;
};

TEST_F(OffsetForLeaderEpochTest, LatestEpochEndsAtTheLogEndOffsetInEveryVersion) {
    for (int16_t v = 0; v <= 4; ++v) {
        SCOPED_TRACE("version " + std::to_string(v));
        const auto p = only(send(ask("t", 0, 3), v));
        EXPECT_EQ(p.error_code, 0);
        EXPECT_EQ(p.partition, 0);
        EXPECT_EQ(p.end_offset, 6);
        EXPECT_EQ(p.leader_epoch, v >= 1 ? 3 : -1);  // v0 has no epoch in the answer
    }
}

TEST_F(OffsetForLeaderEpochTest, EpochAboveAllKnownIsUndefined) {
    const auto p = only(send(ask("t", 0, 7), 3));
    EXPECT_EQ(p.error_code, 0);
    EXPECT_EQ(p.leader_epoch, -1);
    EXPECT_EQ(p.end_offset, -1);
}

TEST_F(OffsetForLeaderEpochTest, PartitionsWeDoNotHostAreNotLeaderOrUnknown) {
    EXPECT_EQ(only(send(ask("t", 1, 3), 3)).error_code, code(ErrorCode::not_leader_or_follower));
    EXPECT_EQ(only(send(ask("t", 9, 3), 3)).error_code,
              code(ErrorCode::unknown_topic_or_partition));
    EXPECT_EQ(only(send(ask("nope", 0, 0), 3)).error_code,
              code(ErrorCode::unknown_topic_or_partition));
}

TEST_F(OffsetForLeaderEpochTest, CurrentLeaderEpochFencesFromV2) {
    EXPECT_EQ(only(send(ask("t", 0, 3, 2), 2)).error_code, code(ErrorCode::fenced_leader_epoch));
    EXPECT_EQ(only(send(ask("t", 0, 3, 4), 3)).error_code, code(ErrorCode::unknown_leader_epoch));
    EXPECT_EQ(only(send(ask("t", 0, 3, 3), 4)).end_offset, 6);
    // v0-1 cannot carry it: the stale epoch never reaches the broker.
    EXPECT_EQ(only(send(ask("t", 0, 3, 2), 1)).error_code, 0);
}

TEST_F(OffsetForLeaderEpochTest, AnswersFollowOrderOfTopicsAndPartitions) {
    Request request = ask("t", 0, 3);
    request.replica_id = 2;  // a follower: answered the same way
    auto& t = request.topics.at(0);
    t.partitions.push_back({9, -1, 3});
    t.partitions.push_back({1, -1, 3});
    request.topics.push_back(ask("u", 5, 0).topics.at(0));
    auto response = send(request, 3);
    ASSERT_EQ(response.topics.size(), 2u);
    EXPECT_EQ(response.topics[0].topic, "t");
    ASSERT_EQ(response.topics[0].partitions.size(), 3u);
    EXPECT_EQ(response.topics[0].partitions[0].partition, 0);
    EXPECT_EQ(response.topics[0].partitions[0].end_offset, 6);
    EXPECT_EQ(response.topics[0].partitions[1].partition, 9);
    EXPECT_EQ(response.topics[0].partitions[2].partition, 1);
    EXPECT_EQ(response.topics[1].topic, "u");
    EXPECT_EQ(response.topics[1].partitions.at(0).partition, 5);
}

TEST_F(OffsetForLeaderEpochTest, WithoutClusterActionTopicsNeedDescribe) {
    authorizer_.denied = {
        {auth::AclOperation::cluster_action, auth::ResourceType::cluster, "kafka-cluster"},
        {auth::AclOperation::describe, auth::ResourceType::topic, "t"}};
    Request request = ask("t", 0, 3);
    request.topics.at(0).partitions.push_back({1, -1, 3});
    request.topics.push_back(ask("u", 0, 0).topics.at(0));
    auto response = send(request, 3);
    ASSERT_EQ(response.topics.size(), 2u);
    for (const auto& p : response.topics[0].partitions) {
        EXPECT_EQ(p.error_code, code(ErrorCode::topic_authorization_failed));
        EXPECT_EQ(p.end_offset, -1);
    }
    EXPECT_EQ(response.topics[1].partitions.at(0).error_code,
              code(ErrorCode::unknown_topic_or_partition));
}

TEST_F(OffsetForLeaderEpochTest, ClusterActionAdmitsTopicsWithoutDescribe) {
    authorizer_.denied = {{auth::AclOperation::describe, auth::ResourceType::topic, "t"}};
    const auto p = only(send(ask("t", 0, 3), 3));
    EXPECT_EQ(p.error_code, 0);
    EXPECT_EQ(p.end_offset, 6);
}

}  // namespace
}  // namespace samsa::api
