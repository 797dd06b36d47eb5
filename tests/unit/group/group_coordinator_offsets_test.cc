// Committed offsets, loading a partition back from its records, coordinator ownership,
// deletion and expiry.

#include "tests/unit/group/coordinator_fixture.h"

namespace samsa::group::testing {
namespace {

const TopicPartition kT0{"t", 0};
const TopicPartition kT1{"t", 1};

TEST_F(CoordinatorTest, SimpleCommitByNonMemberAndFetch) {
    auto c = commit("simple", "", -1, {{kT0, 42}, {kT1, 7}});
    EXPECT_FALSE(c->has_value());  // answered once stored
    scheduler_.run_due();
    ASSERT_TRUE(c->has_value());
    EXPECT_EQ((**c).at(kT0), ErrorCode::none);
    auto fetched = coordinator_->fetch_offsets(
        "simple", std::vector<TopicPartition>{kT0, kT1, TopicPartition{"other", 3}});
    EXPECT_EQ(fetched.error, ErrorCode::none);
    EXPECT_EQ(fetched.offsets.at(kT0).offset, 42);
    EXPECT_EQ(fetched.offsets.at(kT0).metadata, "meta");
    EXPECT_EQ(fetched.offsets.at(kT1).offset, 7);
    EXPECT_EQ(fetched.offsets.at(TopicPartition{"other", 3}).offset, -1);
    auto all = coordinator_->fetch_offsets("simple", std::nullopt);
    EXPECT_EQ(all.offsets.size(), 2u);
}

TEST_F(CoordinatorTest, MemberCommitChecksGenerationAndMember) {
    const auto a = form_group_of_one();
    auto ok = commit("g", a, 1, {{kT0, 5}});
    auto wrong_gen = commit("g", a, 9, {{kT0, 6}});
    auto stranger = commit("g", "stranger", 1, {{kT0, 6}});
    auto simple = commit("g", "", -1, {{kT0, 6}});  // the group is not Empty
    auto unknown_group = commit("nope", "m", 3, {{kT0, 6}});
    scheduler_.run_due();
    EXPECT_EQ((**ok).at(kT0), ErrorCode::none);
    EXPECT_EQ((**wrong_gen).at(kT0), ErrorCode::illegal_generation);
    EXPECT_EQ((**stranger).at(kT0), ErrorCode::unknown_member_id);
    EXPECT_EQ((**simple).at(kT0), ErrorCode::unknown_member_id);
    EXPECT_EQ((**unknown_group).at(kT0), ErrorCode::illegal_generation);
    EXPECT_EQ(coordinator_->fetch_offsets("g", std::vector{kT0}).offsets.at(kT0).offset, 5);
}

TEST_F(CoordinatorTest, FailedAppendIsTranslated) {
    log_.fail_appends_with = ErrorCode::not_leader_or_follower;
    auto c = commit("simple", "", -1, {{kT0, 1}});
    scheduler_.run_due();
    EXPECT_EQ((**c).at(kT0), ErrorCode::not_coordinator);
    log_.fail_appends_with = ErrorCode::not_enough_replicas;
    c = commit("simple", "", -1, {{kT0, 1}});
    scheduler_.run_due();
    EXPECT_EQ((**c).at(kT0), ErrorCode::coordinator_not_available);
    EXPECT_EQ(coordinator_->fetch_offsets("simple", std::vector{kT0}).offsets.at(kT0).offset, -1);
}

TEST_F(CoordinatorTest, OwnershipAndLoading) {
    coordinator_->on_resignation(0);
    auto j = join("");
    ASSERT_TRUE(j->has_value());
    EXPECT_EQ((*j)->error, ErrorCode::not_coordinator);
    coordinator_->on_election(0, 2);  // loads through the scheduler
    EXPECT_EQ(coordinator_->fetch_offsets("g", std::nullopt).error,
              ErrorCode::coordinator_load_in_progress);
    EXPECT_EQ(coordinator_->heartbeat("g", "m", std::nullopt, 1), ErrorCode::none);
    scheduler_.run_due();
    EXPECT_EQ(coordinator_->fetch_offsets("g", std::nullopt).error, ErrorCode::none);
    EXPECT_EQ(coordinator_->describe_group("").error, ErrorCode::invalid_group_id);
}

TEST_F(CoordinatorTest, ResignationAnswersWaitingMembers) {
    const auto a = form_group_of_one();
    auto b = join("");
    EXPECT_FALSE(b->has_value());
    coordinator_->on_resignation(0);
    ASSERT_TRUE(b->has_value());
    EXPECT_EQ((*b)->error, ErrorCode::not_coordinator);
}

TEST_F(CoordinatorTest, GroupsAndOffsetsAreLoadedFromTheLog) {
    const auto a = form_group_of_one();
    auto c = commit("g", a, 1, {{kT0, 100}, {kT1, 200}});
    auto s = commit("simple", "", -1, {{kT0, 3}});
    scheduler_.run_due();
    ASSERT_TRUE(c->has_value() && s->has_value());

    // A second coordinator (another broker elected leader) reads the same partition.
    GroupCoordinator other(config_, log_, scheduler_);
    other.startup();
    other.on_election(0, 2);
    scheduler_.run_due();
    auto summary = other.describe_group("g");
    EXPECT_EQ(summary.state, "Stable");
    ASSERT_EQ(summary.members.size(), 1u);
    EXPECT_EQ(summary.members[0].member_id, a);
    EXPECT_EQ(summary.members[0].assignment, Bytes{7});
    EXPECT_EQ(summary.protocol, "range");
    EXPECT_EQ(other.fetch_offsets("g", std::vector{kT1}).offsets.at(kT1).offset, 200);
    EXPECT_EQ(other.fetch_offsets("simple", std::vector{kT0}).offsets.at(kT0).offset, 3);
    // The loaded member heartbeats in the stored generation.
    EXPECT_EQ(other.heartbeat("g", a, std::nullopt, 1), ErrorCode::none);
    other.shutdown();
}

TEST_F(CoordinatorTest, DeleteGroupsAndOffsets) {
    const auto a = form_group_of_one();
    commit("g", a, 1, {{kT0, 1}});
    commit("simple", "", -1, {{kT0, 1}, {kT1, 2}});
    scheduler_.run_due();
    auto r = coordinator_->delete_groups({"g", "simple", "missing"});
    EXPECT_EQ(r["g"], ErrorCode::non_empty_group);
    EXPECT_EQ(r["simple"], ErrorCode::none);
    EXPECT_EQ(r["missing"], ErrorCode::group_id_not_found);

    auto d = coordinator_->delete_offsets("g", {TopicPartition{"other", 0}});
    // A live group whose subscriptions cannot be read (bytes {1} here) keeps its offsets.
    EXPECT_EQ(d.error, ErrorCode::non_empty_group);
    auto e = coordinator_->delete_offsets("missing", {kT0});
    EXPECT_EQ(e.error, ErrorCode::group_id_not_found);
    scheduler_.run_due();

    // The tombstones hold after a reload.
    GroupCoordinator other(config_, log_, scheduler_);
    other.startup();
    other.on_election(0, 2);
    scheduler_.run_due();
    EXPECT_EQ(other.describe_group("simple").state, "Dead");
    EXPECT_EQ(other.fetch_offsets("simple", std::vector{kT0}).offsets.at(kT0).offset, -1);
    other.shutdown();
}

TEST_F(CoordinatorTest, OffsetsOfEmptyGroupsExpire) {
    commit("simple", "", -1, {{kT0, 1}});
    scheduler_.run_due();
    scheduler_.advance(30 * 60 * 1000);
    EXPECT_EQ(coordinator_->fetch_offsets("simple", std::vector{kT0}).offsets.at(kT0).offset, 1);
    scheduler_.advance(40 * 60 * 1000);  // past the hour of retention, checked every 10 min
    EXPECT_EQ(coordinator_->fetch_offsets("simple", std::vector{kT0}).offsets.at(kT0).offset, -1);
    EXPECT_EQ(coordinator_->describe_group("simple").state, "Dead");
}

TEST_F(CoordinatorTest, ListGroups) {
    form_group_of_one();
    commit("simple", "", -1, {{kT0, 1}});
    scheduler_.run_due();
    auto [error, groups] = coordinator_->list_groups();
    EXPECT_EQ(error, ErrorCode::none);
    ASSERT_EQ(groups.size(), 2u);
    EXPECT_EQ(groups[0].group_id, "g");
    EXPECT_EQ(groups[0].state, "Stable");
    EXPECT_EQ(groups[0].protocol_type, "consumer");
    EXPECT_EQ(groups[1].state, "Empty");
}

}  // namespace
}  // namespace samsa::group::testing
