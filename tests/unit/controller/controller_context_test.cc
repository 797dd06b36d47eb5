// ControllerContext: which brokers count as live, what a controlled shutdown must move, and the
// replica lists of partitions being reassigned.

#include "broker/controller/controller_context.h"

#include <gtest/gtest.h>

namespace samsa::controller {
namespace {

class ControllerContextTest : public ::testing::Test {
  protected:
    void SetUp() override {
        for (int32_t id : {1, 2, 3}) {
            zk::BrokerInfo b;
            b.id = BrokerId{id};
            b.epoch = 100 + id;
            context_.live_brokers[id] = b;
        }
    }

    void lead(const TopicPartition& tp, std::vector<int32_t> replicas, int32_t leader) {
        context_.all_topics.insert(tp.topic);
        context_.assignments[tp] = replicas;
        context_.leadership[tp].leader_and_isr = LeaderAndIsr{leader, 0, replicas, 0};
    }

    ControllerContext context_;
};

TEST_F(ControllerContextTest, AShuttingDownBrokerIsNotLiveButStillHearsUpdateMetadata) {
    context_.shutting_down_brokers.insert(2);
    EXPECT_FALSE(context_.is_live(2));
    EXPECT_TRUE(context_.is_live_or_shutting_down(2));
    EXPECT_EQ(context_.live_broker_ids(), (std::vector<int32_t>{1, 3}));
    EXPECT_EQ(context_.live_or_shutting_down_broker_ids(), (std::vector<int32_t>{1, 2, 3}));
    EXPECT_FALSE(context_.is_live_or_shutting_down(4));
}

TEST_F(ControllerContextTest, ControlledShutdownMovesOnlyReplicatedPartitionsNotBeingDeleted) {
    lead({"a", 0}, {1, 2}, 1);
    lead({"a", 1}, {2, 1}, 2);     // led by another broker
    lead({"single", 0}, {1}, 1);   // one replica: nowhere to move it
    lead({"gone", 0}, {1, 3}, 1);  // being deleted
    context_.topics_to_be_deleted.insert("gone");
    EXPECT_EQ(context_.partition_leaders_on_broker(1), (std::vector<TopicPartition>{{"a", 0}}));
    EXPECT_EQ(context_.partition_leaders_on_broker(2), (std::vector<TopicPartition>{{"a", 1}}));
    EXPECT_TRUE(context_.partition_leaders_on_broker(3).empty());
}

TEST_F(ControllerContextTest, AFullAssignmentKeepsAddingAndRemovingOnlyWhileMoving) {
    const TopicPartition tp{"moving", 0};
    context_.set_full_assignment(tp, ReplicaAssignment{{2, 3, 1}, {3}, {1}});
    EXPECT_EQ(context_.replicas(tp), (std::vector<int32_t>{2, 3, 1}));
    EXPECT_EQ(context_.full_assignment(tp), (ReplicaAssignment{{2, 3, 1}, {3}, {1}}));
    context_.set_full_assignment(tp, ReplicaAssignment{{2, 3}, {}, {}});
    EXPECT_EQ(context_.full_assignment(tp), (ReplicaAssignment{{2, 3}, {}, {}}));
    EXPECT_TRUE(context_.adding_removing.empty());
}

TEST_F(ControllerContextTest, ATopicIsBeingReassignedWhileAnyOfItsPartitionsIs) {
    context_.partitions_being_reassigned.insert({"orders", 2});
    EXPECT_TRUE(context_.is_topic_being_reassigned("orders"));
    // Neither a topic whose name is a prefix nor one sorting right after counts.
    EXPECT_FALSE(context_.is_topic_being_reassigned("order"));
    EXPECT_FALSE(context_.is_topic_being_reassigned("orders2"));
    context_.remove_topic("orders");
    EXPECT_FALSE(context_.is_topic_being_reassigned("orders"));
}

}  // namespace
}  // namespace samsa::controller
