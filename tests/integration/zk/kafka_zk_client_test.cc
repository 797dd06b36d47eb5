// KafkaZkClient against a real server: what Kafka's tooling would read back, elections,
// fencing, registration rules and session expiry.

#include "zk/kafka_zk_client.h"

#include "tests/integration/zk/raw_zookeeper.h"
#include "tests/integration/zk/zk_test_fixture.h"
#include "tests/support/thread_executor.h"
#include "tests/support/wait.h"

#include <atomic>
#include <future>
#include <thread>

namespace samsa::zk {
namespace {

using namespace std::chrono_literals;
using test::eventually;
using test::ThreadExecutor;

class KafkaZkClientTest : public test::ZkServerTest {
  protected:
    // A connected client wrapped by a KafkaZkClient, with the top-level paths made.
    struct Broker {
        std::unique_ptr<ZooKeeperClient> zk;
        std::unique_ptr<KafkaZkClient> kafka;
    };
    Broker broker(const std::string& chroot = "") {
        Broker b;
        b.zk = connect(options(chroot));
        b.kafka = std::make_unique<KafkaZkClient>(*b.zk);
        if (!b.kafka->create_top_level_paths()) {
            throw std::runtime_error("create_top_level_paths failed");
        }
        return b;
    }
};

BrokerInfo broker_info(int32_t id) {
    BrokerInfo info;
    info.id = BrokerId(id);
    info.endpoints = {{"PLAINTEXT", "127.0.0.1", 9092 + id, "PLAINTEXT"},
                      {"REPL", "127.0.0.1", 19092 + id, "SSL"}};
    info.rack = "rack-" + std::to_string(id);
    return info;
}

TEST_F(KafkaZkClientTest, CreateTopLevelPathsIsIdempotent) {
    auto b = broker("/kafka");
    ASSERT_TRUE(b.kafka->create_top_level_paths());
    for (const std::string& path : ZkData::persistent_zk_paths()) {
        EXPECT_TRUE(test::raw_get(server_->connect_string(), "/kafka" + path)) << path;
    }
}

TEST_F(KafkaZkClientTest, TwoClientsAgreeOnOneClusterId) {
    auto a = broker();
    auto b = broker();
    const std::string proposal_a = Uuid::random().to_string();
    const std::string proposal_b = Uuid::random().to_string();
    auto id_a = std::async(std::launch::async,
                           [&] { return a.kafka->get_or_create_cluster_id(proposal_a); });
    auto id_b = std::async(std::launch::async,
                           [&] { return b.kafka->get_or_create_cluster_id(proposal_b); });
    const auto ra = id_a.get();
    const auto rb = id_b.get();
    ASSERT_TRUE(ra && rb);
    EXPECT_EQ(ra.value(), rb.value());
    EXPECT_TRUE(ra.value() == proposal_a || ra.value() == proposal_b);
    EXPECT_EQ(test::raw_get(server_->connect_string(), "/cluster/id")->data,
              R"({"version":"1","id":")" + ra.value() + R"("})");
}

TEST_F(KafkaZkClientTest, BrokerRegistrationIsKafkasJsonAndDiesWithTheSession) {
    auto b = broker();
    const auto epoch = b.kafka->register_broker(broker_info(1));
    ASSERT_TRUE(epoch) << epoch.error().message();

    const auto raw = test::raw_get(server_->connect_string(), "/brokers/ids/1");
    ASSERT_TRUE(raw);
    EXPECT_EQ(raw->czxid, epoch.value());
    EXPECT_EQ(raw->ephemeral_owner, b.zk->session_id());
    EXPECT_EQ(raw->version, 1);  // created with null data, then setData at version 0
    auto decoded = BrokerIdZNode::decode(BrokerId(1), raw->data);
    ASSERT_TRUE(decoded) << raw->data;
    EXPECT_EQ(BrokerIdZNode::encode(broker_info(1), decoded.value().timestamp_ms), raw->data);
    EXPECT_EQ(raw->data.rfind(R"({"version":5,"host":"127.0.0.1","port":9093,"jmx_port":-1,)", 0),
              0u)
        << raw->data;

    auto all = b.kafka->get_all_brokers();
    ASSERT_TRUE(all);
    ASSERT_EQ(all.value().size(), 1u);
    EXPECT_EQ(all.value()[0].epoch, epoch.value());
    EXPECT_EQ(all.value()[0].endpoints, broker_info(1).endpoints);

    // Registering again from the same session keeps the node.
    EXPECT_EQ(b.kafka->register_broker(broker_info(1)).value(), epoch.value());

    b.kafka.reset();
    b.zk.reset();
    EXPECT_TRUE(eventually(
        [&] { return !test::raw_get(server_->connect_string(), "/brokers/ids/1"); }, 10s));
}

TEST_F(KafkaZkClientTest, ASecondBrokerWithTheSameIdGetsNodeExists) {
    auto first = broker();
    auto second = broker();
    ASSERT_TRUE(first.kafka->register_broker(broker_info(3)));
    const auto again = second.kafka->register_broker(broker_info(3));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error(), Errc::node_exists);
    EXPECT_TRUE(second.kafka->register_broker(broker_info(4)));
    EXPECT_EQ(first.kafka->get_sorted_broker_list().value(),
              (std::vector<BrokerId>{BrokerId(3), BrokerId(4)}));
}

TEST_F(KafkaZkClientTest, BrokerRegistrationNamesTheSessionThatOwnsIt) {
    auto first = broker();
    auto second = broker();
    EXPECT_FALSE(second.kafka->get_broker_registration(BrokerId(6)).value());
    const auto epoch = first.kafka->register_broker(broker_info(6));
    ASSERT_TRUE(epoch);
    const auto found = second.kafka->get_broker_registration(BrokerId(6));
    ASSERT_TRUE(found && found.value());
    EXPECT_EQ(found.value()->owner_session, first.zk->session_id());
    EXPECT_NE(found.value()->owner_session, second.zk->session_id());
    EXPECT_EQ(found.value()->info.endpoints, broker_info(6).endpoints);
    EXPECT_EQ(found.value()->info.epoch, epoch.value());
}

class DeletionWatch : public ZNodeChangeHandler {
  public:
    DeletionWatch() : ZNodeChangeHandler(ControllerZNode::path()) {}
    void on_delete() override {
        thread = std::this_thread::get_id();
        deleted = true;
    }
    std::atomic<bool> deleted{false};
    std::thread::id thread;
};

TEST_F(KafkaZkClientTest, ControllerElectionHasExactlyOneWinner) {
    auto a = broker();
    auto b = broker();
    std::promise<void> go;
    auto shared_go = go.get_future().share();
    auto elect = [&](KafkaZkClient& kafka, int32_t id) {
        return std::async(std::launch::async, [&kafka, id, shared_go] {
            shared_go.wait();
            return kafka.try_register_controller(BrokerId(id), 1700000000000);
        });
    };
    auto fa = elect(*a.kafka, 1);
    auto fb = elect(*b.kafka, 2);
    go.set_value();
    const auto ra = fa.get();
    const auto rb = fb.get();
    ASSERT_TRUE(ra && rb);
    ASSERT_NE(ra.value().elected, rb.value().elected);
    const bool a_won = ra.value().elected;
    const ControllerRegistration& won = a_won ? ra.value() : rb.value();
    const ControllerRegistration& lost = a_won ? rb.value() : ra.value();
    const BrokerId winner(a_won ? 1 : 2);
    EXPECT_EQ(won.epoch, ControllerEpoch(1));
    EXPECT_EQ(won.epoch_zk_version, 1);
    EXPECT_EQ(lost.active_controller, winner);
    EXPECT_EQ(test::raw_get(server_->connect_string(), "/controller_epoch")->data, "1");
    EXPECT_EQ(test::raw_get(server_->connect_string(), "/controller")->data,
              R"({"version":1,"brokerid":)" + std::to_string(winner.value()) +
                  R"(,"timestamp":"1700000000000"})");

    Broker& loser = a_won ? b : a;
    Broker& leader = a_won ? a : b;
    EXPECT_EQ(loser.kafka->get_controller_id().value(), winner);

    ThreadExecutor executor;
    auto watch = std::make_shared<DeletionWatch>();
    ASSERT_TRUE(
        loser.kafka->register_znode_change_handler_and_check_existence(watch, executor.executor())
            .value());
    leader.kafka.reset();
    leader.zk.reset();
    ASSERT_TRUE(eventually([&] { return watch->deleted.load(); }, 15s));
    EXPECT_EQ(watch->thread, executor.thread_id());

    const BrokerId loser_id(a_won ? 2 : 1);
    const auto again = loser.kafka->try_register_controller(loser_id, 1700000000001);
    ASSERT_TRUE(again);
    EXPECT_TRUE(again.value().elected);
    EXPECT_EQ(again.value().epoch, ControllerEpoch(2));
    EXPECT_EQ(again.value().epoch_zk_version, 2);
}

TEST_F(KafkaZkClientTest, CreateTopicWritesConfigThenAssignmentInKafkasJson) {
    auto b = broker();
    const Uuid id = Uuid::random();
    const std::map<int32_t, std::vector<BrokerId>> assignment{{0, {BrokerId(1), BrokerId(2)}},
                                                              {1, {BrokerId(2), BrokerId(1)}}};
    ASSERT_TRUE(b.kafka->create_topic("orders", id, assignment, {{"retention.ms", "86400000"}}));
    EXPECT_EQ(test::raw_get(server_->connect_string(), "/brokers/topics/orders")->data,
              R"({"version":3,"topic_id":")" + id.to_string() +
                  R"(","partitions":{"0":[1,2],"1":[2,1]},"adding_replicas":{},)"
                  R"("removing_replicas":{}})");
    EXPECT_EQ(test::raw_get(server_->connect_string(), "/config/topics/orders")->data,
              R"({"version":1,"config":{"retention.ms":"86400000"}})");

    ASSERT_TRUE(b.kafka->create_topic("empty-config", std::nullopt, {{0, {BrokerId(1)}}}, {}));
    EXPECT_EQ(test::raw_get(server_->connect_string(), "/config/topics/empty-config")->data,
              R"({"version":1,"config":{}})");

    EXPECT_EQ(b.kafka->create_topic("orders", Uuid::random(), assignment, {}).error(),
              Errc::topic_already_exists);
    auto topics = b.kafka->get_all_topics().value();
    std::sort(topics.begin(), topics.end());
    EXPECT_EQ(topics, (std::vector<std::string>{"empty-config", "orders"}));
    const auto assignments = b.kafka->get_topic_assignments({"orders", "missing"}).value();
    ASSERT_EQ(assignments.size(), 1u);
    EXPECT_EQ(assignments.at("orders").topic_id, id);
    EXPECT_EQ(assignments.at("orders").partitions.at(1).replicas,
              (std::vector<BrokerId>{BrokerId(2), BrokerId(1)}));
    EXPECT_EQ(b.kafka->get_topic_config("orders").value().at("retention.ms"), "86400000");
    EXPECT_TRUE(b.kafka->get_topic_config("missing").value().empty());
}

LeaderIsrAndControllerEpoch state(int32_t leader, int32_t leader_epoch, int32_t controller_epoch,
                                  int32_t zk_version = 0) {
    return {{BrokerId(leader), LeaderEpoch(leader_epoch), {BrokerId(1), BrokerId(2)}, zk_version},
            ControllerEpoch(controller_epoch)};
}

TEST_F(KafkaZkClientTest, PartitionStateWritesAreFencedByTheControllerEpoch) {
    auto a = broker();
    auto b = broker();
    const auto elected = a.kafka->try_register_controller(BrokerId(1), 1).value();
    ASSERT_TRUE(elected.elected);
    const int32_t v = elected.epoch_zk_version;
    const TopicPartition p0{"t", 0};
    const TopicPartition p1{"t", 1};
    ASSERT_TRUE(a.kafka->create_topic(
        "t", Uuid::random(), {{0, {BrokerId(1), BrokerId(2)}}, {1, {BrokerId(2), BrokerId(1)}}},
        {}));

    auto created =
        a.kafka->create_partition_states({{p0, state(1, 0, 1)}, {p1, state(2, 0, 1)}}, v);
    ASSERT_TRUE(created) << created.error().message();
    EXPECT_FALSE(created.value().at(p0));
    EXPECT_FALSE(created.value().at(p1));
    EXPECT_EQ(
        test::raw_get(server_->connect_string(), "/brokers/topics/t/partitions/0/state")->data,
        R"({"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,2]})");
    // Creating again: per-partition node_exists, not a fencing error.
    EXPECT_EQ(a.kafka->create_partition_states({{p0, state(1, 0, 1)}}, v).value().at(p0),
              Errc::node_exists);

    auto states = a.kafka->get_partition_states({p0, p1, {"t", 9}}).value();
    ASSERT_EQ(states.size(), 2u);
    EXPECT_EQ(states.at(p1), state(2, 0, 1, 0));

    auto updated = a.kafka->update_partition_states({{p0, state(2, 1, 1, 0)}}, v).value();
    EXPECT_FALSE(updated.at(p0).ec);
    EXPECT_EQ(updated.at(p0).zk_version, 1);
    // A stale state zkVersion fails for that partition only.
    EXPECT_EQ(a.kafka->update_partition_states({{p0, state(1, 2, 1, 0)}}, v).value().at(p0).ec,
              Errc::bad_version);

    // Another controller is elected: a's epoch zkVersion is stale, every write is fenced off.
    ASSERT_TRUE(a.zk->delete_node(DeleteOp{ControllerZNode::path(), kMatchAnyVersion}));
    const auto newer = b.kafka->try_register_controller(BrokerId(2), 2).value();
    ASSERT_TRUE(newer.elected);
    EXPECT_EQ(a.kafka->update_partition_states({{p0, state(1, 2, 1, 1)}}, v).error(),
              Errc::controller_moved);
    EXPECT_EQ(a.kafka->create_partition_states({{{"t", 2}, state(1, 0, 1)}}, v).error(),
              Errc::controller_moved);
    EXPECT_EQ(a.kafka->delete_topic_znodes("t", v).error(), Errc::controller_moved);
    const auto by_new_controller =
        b.kafka->update_partition_states({{p0, state(1, 2, 2, 1)}}, newer.epoch_zk_version);
    ASSERT_TRUE(by_new_controller);
    EXPECT_FALSE(by_new_controller.value().at(p0).ec);
}

// Hundreds of state znodes go to ZooKeeper as a few multis; one stale zkVersion fails only its
// own partition, the rest of its batch still being written.
TEST_F(KafkaZkClientTest, ManyPartitionStateWritesAreBatchedWithPerPartitionResults) {
    auto a = broker();
    const auto elected = a.kafka->try_register_controller(BrokerId(1), 1).value();
    ASSERT_TRUE(elected.elected);
    const int32_t v = elected.epoch_zk_version;
    constexpr int kPartitions = 300;
    std::map<int32_t, std::vector<BrokerId>> assignment;
    std::map<TopicPartition, LeaderIsrAndControllerEpoch> initial;
    for (int p = 0; p < kPartitions; ++p) {
        assignment[p] = {BrokerId(1), BrokerId(2)};
        initial[{"many", p}] = state(1, 0, 1);
    }
    ASSERT_TRUE(a.kafka->create_topic("many", Uuid::random(), assignment, {}));
    auto created = a.kafka->create_partition_states(initial, v);
    ASSERT_TRUE(created) << created.error().message();
    for (const auto& [tp, ec] : created.value()) {
        EXPECT_FALSE(ec) << tp.partition;
    }
    std::map<TopicPartition, LeaderIsrAndControllerEpoch> next;
    for (int p = 0; p < kPartitions; ++p) {
        // Partition 150's expected zkVersion is stale (1; the znode is at 0).
        next[{"many", p}] = state(2, 1, 1, p == 150 ? 1 : 0);
    }
    auto updated = a.kafka->update_partition_states(next, v);
    ASSERT_TRUE(updated) << updated.error().message();
    for (const auto& [tp, r] : updated.value()) {
        if (tp.partition == 150) {
            EXPECT_EQ(r.ec, Errc::bad_version);
        } else {
            EXPECT_FALSE(r.ec) << tp.partition << ": " << r.ec.message();
            EXPECT_EQ(r.zk_version, 1) << tp.partition;
        }
    }
    auto states = a.kafka->get_partition_states({{"many", 0}, {"many", 150}, {"many", 299}});
    ASSERT_TRUE(states);
    EXPECT_EQ(states.value().at({"many", 0}), state(2, 1, 1, 1));
    EXPECT_EQ(states.value().at({"many", 150}), state(1, 0, 1, 0));
    EXPECT_EQ(states.value().at({"many", 299}), state(2, 1, 1, 1));
}

// The classic ISR path end to end at the ZooKeeper level: a leader shrinks its ISR and leaves a
// notification; the controller lists, reads and deletes the notifications (fenced).
TEST_F(KafkaZkClientTest, IsrChangesWrittenByLeadersReachTheControllerThroughNotifications) {
    auto controller = broker();
    auto leader = broker();
    const int32_t v =
        controller.kafka->try_register_controller(BrokerId(1), 1).value().epoch_zk_version;
    const TopicPartition p0{"t", 0};
    const TopicPartition p1{"t", 1};
    ASSERT_TRUE(controller.kafka->create_topic(
        "t", Uuid::random(), {{0, {BrokerId(1), BrokerId(2)}}, {1, {BrokerId(2), BrokerId(1)}}},
        {}));
    ASSERT_TRUE(
        controller.kafka->create_partition_states({{p0, state(1, 0, 1)}, {p1, state(2, 0, 1)}}, v));

    // The leader's write: ISR [1], same leader epoch, conditional on the version it knows.
    auto shrunk = state(1, 0, 1, 0);
    shrunk.leader_and_isr.isr = {BrokerId(1)};
    EXPECT_EQ(leader.kafka->update_leader_and_isr(p0, shrunk).value(), 1);
    EXPECT_EQ(leader.kafka->update_leader_and_isr(p0, shrunk).error(), Errc::bad_version);
    ASSERT_TRUE(leader.kafka->propagate_isr_changes({p0}));
    ASSERT_TRUE(leader.kafka->propagate_isr_changes({p1, p0}));
    // Something that is not a notification is left alone; a malformed one is skipped.
    ASSERT_TRUE(leader.zk->create(
        CreateOp{"/isr_change_notification/other", std::nullopt, CreateMode::persistent, {}}));
    ASSERT_TRUE(leader.zk->create(CreateOp{IsrChangeNotificationSequenceZNode::path(),
                                           "{not json",
                                           CreateMode::persistent_sequential,
                                           {}}));

    auto sequence_numbers = controller.kafka->get_all_isr_change_notifications().value();
    ASSERT_EQ(sequence_numbers.size(), 3u);
    EXPECT_EQ(sequence_numbers[0], "0000000000");
    EXPECT_EQ(sequence_numbers[1], "0000000001");
    EXPECT_EQ(
        test::raw_get(server_->connect_string(), "/isr_change_notification/isr_change_0000000000")
            ->data,
        R"({"version":1,"partitions":[{"topic":"t","partition":0}]})");
    EXPECT_EQ(
        controller.kafka->get_partitions_from_isr_change_notifications(sequence_numbers).value(),
        (std::vector<TopicPartition>{p0, p1, p0}));
    EXPECT_EQ(controller.kafka->get_partition_states({p0}).value().at(p0).leader_and_isr.isr,
              std::vector<BrokerId>{BrokerId(1)});

    // Deletes are fenced by the controller epoch like every other controller write.
    EXPECT_EQ(controller.kafka->delete_isr_change_notifications(sequence_numbers, v + 1).error(),
              Errc::controller_moved);
    ASSERT_TRUE(controller.kafka->delete_isr_change_notifications({sequence_numbers[0]}, v));
    EXPECT_EQ(controller.kafka->get_all_isr_change_notifications().value().size(), 2u);
    ASSERT_TRUE(
        controller.kafka->delete_isr_change_notifications(sequence_numbers, v));  // one gone
    EXPECT_TRUE(controller.kafka->get_all_isr_change_notifications().value().empty());
    EXPECT_TRUE(controller.kafka->exists("/isr_change_notification/other").value());

    ASSERT_TRUE(leader.kafka->propagate_isr_changes({p1}));
    ASSERT_TRUE(controller.kafka->delete_isr_change_notifications(v));
    EXPECT_TRUE(controller.kafka->get_all_isr_change_notifications().value().empty());
    EXPECT_TRUE(controller.kafka->get_partitions_from_isr_change_notifications({"0000000009"})
                    .value()
                    .empty());
}

TEST_F(KafkaZkClientTest, DeleteTopicZnodesRemovesEverythingOfTheTopic) {
    auto b = broker();
    const int32_t v = b.kafka->try_register_controller(BrokerId(1), 1).value().epoch_zk_version;
    ASSERT_TRUE(b.kafka->create_topic("gone", Uuid::random(), {{0, {BrokerId(1)}}}, {}));
    ASSERT_TRUE(b.kafka->create_partition_states({{{"gone", 0}, state(1, 0, 1)}}, v));
    ASSERT_TRUE(b.kafka->create_delete_topic_node("gone"));
    EXPECT_EQ(b.kafka->create_delete_topic_node("gone").error(), Errc::node_exists);
    EXPECT_EQ(b.kafka->get_delete_topic_nodes().value(), std::vector<std::string>{"gone"});
    EXPECT_EQ(b.kafka->create_topic("gone", std::nullopt, {{0, {BrokerId(1)}}}, {}).error(),
              Errc::topic_already_exists);

    ASSERT_TRUE(b.kafka->delete_topic_znodes("gone", v));
    EXPECT_FALSE(b.kafka->exists("/brokers/topics/gone").value());
    EXPECT_FALSE(b.kafka->exists("/config/topics/gone").value());
    EXPECT_FALSE(b.kafka->exists("/admin/delete_topics/gone").value());
    EXPECT_TRUE(b.kafka->delete_topic_znodes("gone", v));  // nothing left: still fine
}

class ReRegister : public StateChangeHandler {
  public:
    ReRegister(KafkaZkClient& kafka) : StateChangeHandler("broker"), kafka_(kafka) {}
    void before_initializing_session() override { before = true; }
    void after_initializing_session() override {
        auto epoch = kafka_.register_broker(broker_info(5));
        new_epoch = epoch ? epoch.value() : -1;
    }
    std::atomic<bool> before{false};
    std::atomic<int64_t> new_epoch{0};

  private:
    KafkaZkClient& kafka_;
};

TEST_F(KafkaZkClientTest, AfterSessionExpiryTheBrokerRegistersAgainWithANewEpoch) {
    auto b = broker();
    const int64_t first_epoch = b.kafka->register_broker(broker_info(5)).value();
    auto handler = std::make_shared<ReRegister>(*b.kafka);
    b.zk->register_state_change_handler(handler);
    const int64_t old_session = b.zk->session_id();

    test::expire_session(server_->connect_string(), b.zk->session_credentials());
    ASSERT_TRUE(eventually([&] { return handler->new_epoch != 0; }, 30s));
    EXPECT_TRUE(handler->before);
    EXPECT_GT(handler->new_epoch.load(), first_epoch);
    const auto raw = test::raw_get(server_->connect_string(), "/brokers/ids/5");
    ASSERT_TRUE(raw);
    EXPECT_EQ(raw->czxid, handler->new_epoch.load());
    EXPECT_EQ(raw->ephemeral_owner, b.zk->session_id());
    EXPECT_NE(raw->ephemeral_owner, old_session);
}

}  // namespace
}  // namespace samsa::zk
