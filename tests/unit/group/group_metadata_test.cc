// GroupMetadata on its own: legal state transitions, protocol candidates and votes, static
// member replacement, and the consumer subscription parser.

#include "broker/group/group_metadata.h"

#include "broker/group/consumer_protocol.h"

#include <gtest/gtest.h>

namespace samsa::group {
namespace {

std::shared_ptr<MemberMetadata> member(const std::string& id, std::vector<std::string> names,
                                       std::optional<std::string> instance = std::nullopt) {
    std::vector<ProtocolEntry> ps;
    for (auto& n : names) {
        ps.push_back(ProtocolEntry{n, Bytes{}});
    }
    return std::make_shared<MemberMetadata>(id, instance, "c", "h", 1000, 1000, "consumer", ps);
}

TEST(GroupMetadata, Transitions) {
    GroupMetadata g("g", GroupState::empty, 0);
    EXPECT_FALSE(g.transition_to(GroupState::stable, 1));
    EXPECT_TRUE(g.transition_to(GroupState::preparing_rebalance, 1));
    EXPECT_FALSE(g.transition_to(GroupState::stable, 2));
    EXPECT_TRUE(g.transition_to(GroupState::completing_rebalance, 2));
    EXPECT_TRUE(g.transition_to(GroupState::stable, 3));
    EXPECT_EQ(g.current_state_timestamp_ms(), 3);
    EXPECT_TRUE(g.can_rebalance());
    EXPECT_TRUE(g.transition_to(GroupState::dead, 4));
    EXPECT_FALSE(g.can_rebalance());
    EXPECT_EQ(parse_state("CompletingRebalance"), GroupState::completing_rebalance);
}

TEST(GroupMetadata, CandidatesAndVotes) {
    GroupMetadata g("g", GroupState::empty, 0);
    EXPECT_TRUE(g.supports_protocols("consumer", {"x"}));
    EXPECT_FALSE(g.supports_protocols("", {"x"}));
    g.add(member("a", {"range", "roundrobin", "sticky"}));
    g.add(member("b", {"sticky", "range"}));
    EXPECT_EQ(g.candidate_protocols(), (std::set<std::string>{"range", "sticky"}));
    // a votes range, b votes sticky: a tie goes to the smallest name.
    EXPECT_EQ(g.select_protocol(), "range");
    g.add(member("c", {"sticky"}));
    EXPECT_EQ(g.select_protocol(), "sticky");
    EXPECT_FALSE(g.supports_protocols("consumer", {"range"}));
    EXPECT_EQ(g.leader_id, "a");
    g.remove("a");
    EXPECT_EQ(g.leader_id, "b");
}

TEST(GroupMetadata, StaticMembers) {
    GroupMetadata g("g", GroupState::empty, 0);
    g.add(member("old", {"range"}, "i-1"));
    EXPECT_TRUE(g.is_static_member_fenced("other", std::string("i-1")));
    EXPECT_FALSE(g.is_static_member_fenced("old", std::string("i-1")));
    auto m = g.replace_static_member("i-1", "old", "new");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->member_id, "new");
    EXPECT_FALSE(g.has("old"));
    EXPECT_EQ(g.static_member_id("i-1"), "new");
    EXPECT_EQ(g.leader_id, "new");
}

TEST(ConsumerProtocol, SubscriptionTopics) {
    // version 1, ["a", "bc"], then user data we ignore.
    const Bytes sub{0, 1, 0, 0, 0, 2, 0, 1, 'a', 0, 2, 'b', 'c', 0xff, 0xff, 0xff, 0xff};
    auto topics = parse_subscription_topics(sub);
    ASSERT_TRUE(topics);
    EXPECT_EQ(*topics, (std::vector<std::string>{"a", "bc"}));
    EXPECT_FALSE(parse_subscription_topics(Bytes{0, 1, 0, 0, 0, 9}));
    EXPECT_FALSE(parse_subscription_topics(Bytes{1}));
}

}  // namespace
}  // namespace samsa::group
