// The group membership state machine: join, sync, rebalances on join and leave, session
// expiry on a fake clock, KIP-394's MEMBER_ID_REQUIRED, KIP-345's static members, protocol
// selection and the errors Kafka gives.

#include "tests/unit/group/coordinator_fixture.h"

namespace samsa::group::testing {
namespace {

TEST_F(CoordinatorTest, FirstMemberJoinsLeadsAndSyncs) {
    auto j = join("");
    scheduler_.run_due();  // the initial delay (0 here) expires
    ASSERT_TRUE(j->has_value());
    const auto& r = **j;
    EXPECT_EQ(r.error, ErrorCode::none);
    EXPECT_EQ(r.generation_id, 1);
    EXPECT_EQ(r.leader_id, r.member_id);
    EXPECT_EQ(r.protocol_name, "range");
    ASSERT_EQ(r.members.size(), 1u);
    EXPECT_EQ(state(), "CompletingRebalance");

    auto s = sync(r.member_id, 1, {{r.member_id, Bytes{1, 2, 3}}});
    EXPECT_FALSE(s->has_value());  // answered once the assignment is stored
    scheduler_.run_due();
    ASSERT_TRUE(s->has_value());
    EXPECT_EQ((*s)->error, ErrorCode::none);
    EXPECT_EQ((*s)->assignment, (Bytes{1, 2, 3}));
    EXPECT_EQ(state(), "Stable");
    EXPECT_EQ(log_.batches[0].size(), 1u);  // the generation was written
}

TEST_F(CoordinatorTest, MemberIdRequiredThenJoinWithIt) {
    auto req = join_request("");
    req.require_known_member_id = true;
    auto first = join(req);
    ASSERT_TRUE(first->has_value());
    EXPECT_EQ((*first)->error, ErrorCode::member_id_required);
    const std::string id = (*first)->member_id;
    EXPECT_EQ(id.rfind("client-", 0), 0u);

    req.member_id = id;
    auto second = join(req);
    scheduler_.run_due();
    ASSERT_TRUE(second->has_value());
    EXPECT_EQ((*second)->error, ErrorCode::none);
    EXPECT_EQ((*second)->member_id, id);
}

TEST_F(CoordinatorTest, UnknownMemberAndBadSessionTimeout) {
    auto unknown = join("nobody");
    ASSERT_TRUE(unknown->has_value());
    EXPECT_EQ((*unknown)->error, ErrorCode::unknown_member_id);

    auto req = join_request("");
    req.session_timeout_ms = 10;
    auto bad = join(req);
    ASSERT_TRUE(bad->has_value());
    EXPECT_EQ((*bad)->error, ErrorCode::invalid_session_timeout);
}

TEST_F(CoordinatorTest, NewMemberTriggersRebalance) {
    const auto a = form_group_of_one();
    auto b = join("");
    EXPECT_FALSE(b->has_value());  // waits for A to rejoin
    EXPECT_EQ(coordinator_->heartbeat("g", a, std::nullopt, 1), ErrorCode::rebalance_in_progress);
    auto a2 = join(a);
    ASSERT_TRUE(a2->has_value());  // everybody is in: completes at once
    ASSERT_TRUE(b->has_value());
    EXPECT_EQ((*a2)->generation_id, 2);
    EXPECT_EQ((*b)->generation_id, 2);
    EXPECT_EQ((*a2)->members.size(), 2u);  // the leader sees everybody
    EXPECT_TRUE((*b)->members.empty());
    EXPECT_EQ((*b)->leader_id, a);

    auto sb = sync((*b)->member_id, 2);
    auto sa = sync(a, 2, {{a, Bytes{1}}, {(*b)->member_id, Bytes{2}}});
    scheduler_.run_due();
    ASSERT_TRUE(sa->has_value() && sb->has_value());
    EXPECT_EQ((*sb)->assignment, Bytes{2});
    EXPECT_EQ(coordinator_->heartbeat("g", a, std::nullopt, 2), ErrorCode::none);
    EXPECT_EQ(coordinator_->heartbeat("g", a, std::nullopt, 1), ErrorCode::illegal_generation);
}

TEST_F(CoordinatorTest, LeaveTriggersRebalanceAndEmptiesGroup) {
    const auto a = form_group_of_one();
    auto b = join("");
    auto a2 = join(a);
    ASSERT_TRUE(b->has_value() && a2->has_value());
    const auto bid = (*b)->member_id;
    sync(bid, 2);
    sync(a, 2, {});
    scheduler_.run_due();

    auto left = coordinator_->leave_group("g", {{bid, std::nullopt}});
    EXPECT_EQ(left.error, ErrorCode::none);
    ASSERT_EQ(left.members.size(), 1u);
    EXPECT_EQ(left.members[0], ErrorCode::none);
    EXPECT_EQ(state(), "PreparingRebalance");
    auto a3 = join(a);
    ASSERT_TRUE(a3->has_value());
    EXPECT_EQ((*a3)->generation_id, 3);
    EXPECT_EQ((*a3)->members.size(), 1u);

    coordinator_->leave_group("g", {{a, std::nullopt}});
    scheduler_.run_due();
    EXPECT_EQ(state(), "Empty");
    auto again = coordinator_->leave_group("g", {{a, std::nullopt}});
    EXPECT_EQ(again.members[0], ErrorCode::unknown_member_id);
}

TEST_F(CoordinatorTest, SessionExpiryRemovesSilentMember) {
    const auto a = form_group_of_one();
    auto b = join("");
    auto a2 = join(a);
    ASSERT_TRUE(b->has_value() && a2->has_value());
    const auto bid = (*b)->member_id;
    sync(bid, 2);
    sync(a, 2, {});
    scheduler_.run_due();
    // A heartbeats every 3 s, B never: B's 10 s session runs out.
    for (int i = 0; i < 3; ++i) {
        scheduler_.advance(3000);
        EXPECT_EQ(coordinator_->heartbeat("g", a, std::nullopt, 2), ErrorCode::none);
    }
    scheduler_.advance(1500);
    EXPECT_EQ(state(), "PreparingRebalance");
    EXPECT_EQ(coordinator_->heartbeat("g", bid, std::nullopt, 2), ErrorCode::unknown_member_id);
    auto a3 = join(a);
    ASSERT_TRUE(a3->has_value());
    EXPECT_EQ((*a3)->generation_id, 3);
    EXPECT_EQ((*a3)->members.size(), 1u);
}

TEST_F(CoordinatorTest, RebalanceTimeoutDropsMembersThatDoNotRejoin) {
    const auto a = form_group_of_one();
    auto b = join("");
    auto a2 = join(a);
    ASSERT_TRUE(b->has_value() && a2->has_value());
    sync((*b)->member_id, 2);
    sync(a, 2, {});
    scheduler_.run_due();
    auto c = join("");  // rebalance; only A rejoins, B keeps heartbeating but never joins
    auto a3 = join(a);
    EXPECT_FALSE(c->has_value());
    scheduler_.advance(5000);
    coordinator_->heartbeat("g", (*b)->member_id, std::nullopt, 2);
    scheduler_.advance(5000);
    coordinator_->heartbeat("g", (*b)->member_id, std::nullopt, 2);
    scheduler_.advance(20000);  // the 30 s rebalance timeout
    ASSERT_TRUE(c->has_value() && a3->has_value());
    EXPECT_EQ((*a3)->generation_id, 3);
    EXPECT_EQ((*a3)->members.size(), 2u);
}

TEST_F(CoordinatorTest, StaticMemberRejoinKeepsAssignmentWithoutRebalance) {
    const auto a = form_group_of_one("instance-a");
    auto b = join("");
    auto a2 = join(a, protocols({"range"}), "instance-a");
    ASSERT_TRUE(b->has_value() && a2->has_value());
    const auto bid = (*b)->member_id;
    auto sb = sync(bid, 2);
    auto sa = sync(a, 2, {{a, Bytes{0xA}}, {bid, Bytes{0xB}}}, "instance-a");
    scheduler_.run_due();
    ASSERT_TRUE(sa->has_value());
    EXPECT_EQ(state(), "Stable");

    // A restarts: no member id, same instance id and protocols.
    auto again = join("", protocols({"range"}), "instance-a");
    scheduler_.run_due();  // the new member id is stored first
    ASSERT_TRUE(again->has_value());
    EXPECT_EQ((*again)->error, ErrorCode::none);
    EXPECT_EQ((*again)->generation_id, 2);
    const auto new_a = (*again)->member_id;
    EXPECT_NE(new_a, a);
    EXPECT_EQ(state(), "Stable");
    EXPECT_EQ(coordinator_->heartbeat("g", bid, std::nullopt, 2), ErrorCode::none);
    EXPECT_EQ(coordinator_->heartbeat("g", a, "instance-a", 2), ErrorCode::fenced_instance_id);
    auto s = sync(new_a, 2, {}, "instance-a");
    ASSERT_TRUE(s->has_value());
    EXPECT_EQ((*s)->assignment, Bytes{0xA});
}

TEST_F(CoordinatorTest, StaticMemberSwapIsRevertedWhenItsStoreFails) {
    const auto a = form_group_of_one("instance-a");  // generation 1, assignment {7}
    ASSERT_EQ(state(), "Stable");
    const int32_t generation = 1;

    // A restart whose new member id cannot be stored: the old id keeps the group.
    log_.fail_appends_with = ErrorCode::not_leader_or_follower;
    auto again = join("", protocols({"range"}), "instance-a");
    scheduler_.run_due();
    ASSERT_TRUE(again->has_value());
    EXPECT_EQ((*again)->error, ErrorCode::not_coordinator);
    EXPECT_EQ((*again)->member_id, "");
    EXPECT_EQ(state(), "Stable");
    EXPECT_EQ(coordinator_->heartbeat("g", a, "instance-a", generation), ErrorCode::none);

    // Once the log takes writes again, the restart goes through and fences the old id.
    log_.fail_appends_with = ErrorCode::none;
    auto third = join("", protocols({"range"}), "instance-a");
    scheduler_.run_due();
    ASSERT_TRUE(third->has_value());
    EXPECT_EQ((*third)->error, ErrorCode::none);
    EXPECT_EQ(coordinator_->heartbeat("g", a, "instance-a", generation),
              ErrorCode::fenced_instance_id);
    auto s = sync((*third)->member_id, generation, {}, "instance-a");
    ASSERT_TRUE(s->has_value());
    EXPECT_EQ((*s)->assignment, Bytes{7});
}

TEST_F(CoordinatorTest, ProtocolChosenByVoteAndInconsistentOnesRefused) {
    auto a = join("", protocols({"range", "roundrobin"}));
    scheduler_.run_due();
    ASSERT_TRUE(a->has_value());
    const auto aid = (*a)->member_id;
    sync(aid, 1, {});
    scheduler_.run_due();
    auto b = join("", protocols({"roundrobin", "range"}));
    auto c = join("", protocols({"roundrobin", "sticky", "range"}));
    auto a2 = join(aid, protocols({"range", "roundrobin"}));
    ASSERT_TRUE(a2->has_value() && b->has_value() && c->has_value());
    EXPECT_EQ((*a2)->protocol_name, "roundrobin");  // two votes to one

    auto d = join("", protocols({"sticky"}));
    ASSERT_TRUE(d->has_value());
    EXPECT_EQ((*d)->error, ErrorCode::inconsistent_group_protocol);
    auto req = join_request("", protocols({"range"}));
    req.protocol_type = "connect";
    auto e = join(req);
    ASSERT_TRUE(e->has_value());
    EXPECT_EQ((*e)->error, ErrorCode::inconsistent_group_protocol);
}

TEST_F(CoordinatorTest, SyncErrors) {
    const auto a = form_group_of_one();
    EXPECT_EQ((*sync("nobody", 1))->error, ErrorCode::unknown_member_id);
    EXPECT_EQ((*sync(a, 7))->error, ErrorCode::illegal_generation);
    join("");  // rebalance starts
    EXPECT_EQ((*sync(a, 1))->error, ErrorCode::rebalance_in_progress);
}

class SmallGroupTest : public CoordinatorTest {
  protected:
    static GroupConfig config() {
        auto c = test_config();
        c.max_size = 1;
        return c;
    }
    SmallGroupTest() : CoordinatorTest(config()) {}
};

TEST_F(SmallGroupTest, GroupMaxSizeReached) {
    form_group_of_one();
    auto b = join("");
    ASSERT_TRUE(b->has_value());
    EXPECT_EQ((*b)->error, ErrorCode::group_max_size_reached);
}

class DelayedGroupTest : public CoordinatorTest {
  protected:
    static GroupConfig config() {
        auto c = test_config();
        c.initial_rebalance_delay_ms = 3000;
        return c;
    }
    DelayedGroupTest() : CoordinatorTest(config()) {}
};

TEST_F(DelayedGroupTest, InitialRebalanceDelayWaitsForMoreMembers) {
    auto a = join("");
    scheduler_.advance(2000);
    auto b = join("");  // arrives during the delay: the delay is extended
    scheduler_.advance(1500);
    EXPECT_FALSE(a->has_value());
    scheduler_.advance(3000);
    ASSERT_TRUE(a->has_value() && b->has_value());
    EXPECT_EQ((*a)->generation_id, 1);
    EXPECT_EQ((*a)->members.size() + (*b)->members.size(), 2u);
}

}  // namespace
}  // namespace samsa::group::testing
