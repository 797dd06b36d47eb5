// The matching rules of AclAuthorizer (ZK-MODE §a "ACLs", steps 2-5) on AclSnapshot, and
// super users (step 1) on parse_super_users.

#include "auth/acl_snapshot.h"

#include "auth/acl_authorizer.h"

#include <gtest/gtest.h>

namespace samsa::auth {
namespace {

const Principal kAlice{"User", "alice"};
const Principal kBob{"User", "bob"};
constexpr std::string_view kHost = "10.0.0.1";

ResourcePattern literal_topic(std::string name) {
    return {ResourceType::topic, std::move(name), PatternType::literal};
}
ResourcePattern prefixed_topic(std::string name) {
    return {ResourceType::topic, std::move(name), PatternType::prefixed};
}
AclEntry allow(std::string principal, AclOperation op, std::string host = "*") {
    return {std::move(principal), std::move(host), op, AclPermissionType::allow};
}
AclEntry deny(std::string principal, AclOperation op, std::string host = "*") {
    return {std::move(principal), std::move(host), op, AclPermissionType::deny};
}

class AclSnapshotTest : public ::testing::Test {
  protected:
    void add(const ResourcePattern& p, AclEntry e) { acls_[p].insert(std::move(e)); }

    bool allowed(const Principal& who, AclOperation op, std::string_view topic,
                 bool allow_if_no_acl = false, std::string_view host = kHost) {
        return AclSnapshot(acls_).authorize(who, host, op, ResourceType::topic, topic,
                                            allow_if_no_acl);
    }

    AclMap acls_;
};

TEST_F(AclSnapshotTest, NoAclsFollowsAllowEveryoneIfNoAclFound) {
    EXPECT_FALSE(allowed(kAlice, AclOperation::read, "orders", false));
    EXPECT_TRUE(allowed(kAlice, AclOperation::read, "orders", true));
}

TEST_F(AclSnapshotTest, AclsOnAnotherResourceDoNotCount) {
    add(literal_topic("payments"), deny("User:alice", AclOperation::read));
    EXPECT_TRUE(allowed(kAlice, AclOperation::read, "orders", true));
}

TEST_F(AclSnapshotTest, AnyAclOnTheResourceTurnsOffAllowEveryone) {
    add(literal_topic("orders"), allow("User:bob", AclOperation::read));
    EXPECT_FALSE(allowed(kAlice, AclOperation::read, "orders", true));
    EXPECT_TRUE(allowed(kBob, AclOperation::read, "orders", true));
}

TEST_F(AclSnapshotTest, AllowNeedsAMatchingOperation) {
    add(literal_topic("orders"), allow("User:alice", AclOperation::read));
    EXPECT_TRUE(allowed(kAlice, AclOperation::read, "orders"));
    EXPECT_FALSE(allowed(kAlice, AclOperation::write, "orders"));
}

TEST_F(AclSnapshotTest, DenyWinsOverAllow) {
    add(literal_topic("orders"), allow("User:alice", AclOperation::all));
    add(literal_topic("orders"), deny("User:alice", AclOperation::write));
    EXPECT_FALSE(allowed(kAlice, AclOperation::write, "orders"));
    EXPECT_TRUE(allowed(kAlice, AclOperation::read, "orders"));
}

TEST_F(AclSnapshotTest, DenyOnWildcardResourceWinsOverLiteralAllow) {
    add(literal_topic("orders"), allow("User:alice", AclOperation::write));
    add(literal_topic("*"), deny("User:alice", AclOperation::write));
    EXPECT_FALSE(allowed(kAlice, AclOperation::write, "orders"));
}

TEST_F(AclSnapshotTest, WildcardResourceAppliesToEveryName) {
    add(literal_topic("*"), allow("User:alice", AclOperation::read));
    EXPECT_TRUE(allowed(kAlice, AclOperation::read, "orders"));
    EXPECT_TRUE(allowed(kAlice, AclOperation::read, "anything"));
}

TEST_F(AclSnapshotTest, PrefixedPatternCoversNamesStartingWithIt) {
    add(prefixed_topic("secret-"), deny("User:*", AclOperation::write));
    EXPECT_FALSE(allowed(kAlice, AclOperation::write, "secret-1", true));
    EXPECT_FALSE(allowed(kAlice, AclOperation::write, "secret-", true));
    EXPECT_TRUE(allowed(kAlice, AclOperation::write, "secret", true));
    EXPECT_TRUE(allowed(kAlice, AclOperation::write, "public", true));
}

TEST_F(AclSnapshotTest, EveryMatchingPrefixIsCollected) {
    add(prefixed_topic("a"), allow("User:alice", AclOperation::read));
    add(prefixed_topic("ab"), allow("User:bob", AclOperation::read));
    add(prefixed_topic("abc-"), deny("User:bob", AclOperation::read));
    EXPECT_TRUE(allowed(kAlice, AclOperation::read, "abc-1"));
    EXPECT_TRUE(allowed(kBob, AclOperation::read, "abd"));
    EXPECT_FALSE(allowed(kBob, AclOperation::read, "abc-1"));
}

TEST_F(AclSnapshotTest, PrefixedStarIsNotAWildcard) {
    add(prefixed_topic("*"), allow("User:alice", AclOperation::read));
    EXPECT_FALSE(allowed(kAlice, AclOperation::read, "orders"));
    EXPECT_TRUE(allowed(kAlice, AclOperation::read, "*x"));
}

TEST_F(AclSnapshotTest, WildcardPrincipalMatchesEveryUser) {
    add(literal_topic("orders"), allow("User:*", AclOperation::read));
    EXPECT_TRUE(allowed(kAlice, AclOperation::read, "orders"));
    EXPECT_TRUE(allowed(Principal{"User", "ANONYMOUS"}, AclOperation::read, "orders"));
}

TEST_F(AclSnapshotTest, PrincipalTypeMustMatchToo) {
    add(literal_topic("orders"), allow("Group:alice", AclOperation::read));
    EXPECT_FALSE(allowed(kAlice, AclOperation::read, "orders"));
}

TEST_F(AclSnapshotTest, HostMustMatchOrBeWildcard) {
    add(literal_topic("orders"), allow("User:alice", AclOperation::read, "10.0.0.2"));
    EXPECT_FALSE(allowed(kAlice, AclOperation::read, "orders", false, "10.0.0.1"));
    EXPECT_TRUE(allowed(kAlice, AclOperation::read, "orders", false, "10.0.0.2"));
}

TEST_F(AclSnapshotTest, DenyFromOneHostOnly) {
    add(literal_topic("orders"), allow("User:alice", AclOperation::read));
    add(literal_topic("orders"), deny("User:alice", AclOperation::read, "10.0.0.9"));
    EXPECT_TRUE(allowed(kAlice, AclOperation::read, "orders", false, "10.0.0.1"));
    EXPECT_FALSE(allowed(kAlice, AclOperation::read, "orders", false, "10.0.0.9"));
}

TEST_F(AclSnapshotTest, OperationAllAllowsEveryOperation) {
    add(literal_topic("orders"), allow("User:alice", AclOperation::all));
    for (auto op : {AclOperation::read, AclOperation::write, AclOperation::create,
                    AclOperation::delete_, AclOperation::alter, AclOperation::describe,
                    AclOperation::describe_configs, AclOperation::alter_configs}) {
        EXPECT_TRUE(allowed(kAlice, op, "orders"));
    }
}

TEST_F(AclSnapshotTest, DescribeIsImpliedByReadWriteDeleteAndAlter) {
    for (auto op :
         {AclOperation::read, AclOperation::write, AclOperation::delete_, AclOperation::alter}) {
        acls_.clear();
        add(literal_topic("orders"), allow("User:alice", op));
        EXPECT_TRUE(allowed(kAlice, AclOperation::describe, "orders")) << operation_name(op);
    }
    acls_.clear();
    add(literal_topic("orders"), allow("User:alice", AclOperation::create));
    EXPECT_FALSE(allowed(kAlice, AclOperation::describe, "orders"));
}

TEST_F(AclSnapshotTest, DescribeConfigsIsImpliedByAlterConfigs) {
    add(literal_topic("orders"), allow("User:alice", AclOperation::alter_configs));
    EXPECT_TRUE(allowed(kAlice, AclOperation::describe_configs, "orders"));
    EXPECT_FALSE(allowed(kAlice, AclOperation::describe, "orders"));
}

TEST_F(AclSnapshotTest, ImpliedOperationsDoNotApplyToDeny) {
    add(literal_topic("orders"), allow("User:alice", AclOperation::describe));
    add(literal_topic("orders"), deny("User:alice", AclOperation::read));
    EXPECT_TRUE(allowed(kAlice, AclOperation::describe, "orders"));
}

TEST_F(AclSnapshotTest, ResourceTypesAreSeparate) {
    add({ResourceType::group, "orders", PatternType::literal},
        allow("User:alice", AclOperation::read));
    EXPECT_TRUE(allowed(kAlice, AclOperation::read, "orders", true));  // no topic ACL
    EXPECT_TRUE(AclSnapshot(acls_).authorize(kAlice, kHost, AclOperation::read, ResourceType::group,
                                             "orders", false));
    EXPECT_FALSE(AclSnapshot(acls_).authorize(kBob, kHost, AclOperation::read, ResourceType::group,
                                              "orders", true));
}

TEST(PrincipalEqualsTest, ComparesTypeAndName) {
    EXPECT_TRUE(principal_equals("User:alice", kAlice));
    EXPECT_FALSE(principal_equals("User:alic", kAlice));
    EXPECT_FALSE(principal_equals("User:alicex", kAlice));
    EXPECT_FALSE(principal_equals("Userx:alice", kAlice));
    EXPECT_FALSE(principal_equals("User;alice", kAlice));
}

TEST(SuperUsersTest, ParsesSemicolonSeparatedPrincipals) {
    auto users = parse_super_users(" User:alice ; User:bob;;");
    ASSERT_TRUE(users);
    ASSERT_EQ(users.value().size(), 2u);
    EXPECT_EQ(users.value()[0], kAlice);
    EXPECT_EQ(users.value()[1], kBob);
    EXPECT_FALSE(parse_super_users("alice"));
    EXPECT_TRUE(parse_super_users("").value().empty());
}

}  // namespace
}  // namespace samsa::auth
