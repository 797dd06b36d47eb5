// AclAuthorizer against a real ZooKeeper: brokers writing the same resource at once keep every
// ACL (the conditional read-modify-write), a resource without ACLs loses its znode, and every
// broker applies every change from the notifications.

#include "auth/acl_authorizer.h"

#include "auth/acl_json.h"
#include "tests/integration/zk/zk_test_fixture.h"
#include "tests/support/thread_executor.h"
#include "tests/support/wait.h"

#include <gtest/gtest.h>

#include <future>
#include <string>
#include <vector>

namespace samsa::auth {
namespace {

using namespace std::chrono_literals;

const ResourcePattern kOrders{ResourceType::topic, "orders", PatternType::literal};

AclBinding read_by(const std::string& user, const ResourcePattern& p = kOrders) {
    return {p, {"User:" + user, "*", AclOperation::read, AclPermissionType::allow}};
}

Session session_of(const std::string& user) {
    Session s;
    s.principal = Principal{"User", user};
    s.client_host = "127.0.0.1";
    return s;
}

// One broker's share: its ZooKeeper session, KafkaZkClient, executor and authorizer.
struct Broker {
    std::unique_ptr<zk::ZooKeeperClient> zk;
    std::unique_ptr<zk::KafkaZkClient> kafka;
    std::unique_ptr<test::ThreadExecutor> executor;
    std::unique_ptr<AclAuthorizer> authorizer;

    ~Broker() {
        if (authorizer) {
            authorizer->close();
        }
    }
};

class AclAuthorizerTest : public test::ZkServerTest {
  protected:
    std::unique_ptr<Broker> start_broker() {
        auto b = std::make_unique<Broker>();
        b->zk = connect();
        b->kafka = std::make_unique<zk::KafkaZkClient>(*b->zk);
        b->executor = std::make_unique<test::ThreadExecutor>();
        b->authorizer = std::make_unique<AclAuthorizer>(AclAuthorizerConfig{}, *b->kafka,
                                                        b->executor->executor());
        const auto started = b->authorizer->start();
        if (!started) {
            throw std::runtime_error("start failed: " + started.error().message());
        }
        return b;
    }

    std::set<AclEntry> stored(const Broker& b, const std::string& path) {
        auto node = b.zk->get_data(path);
        if (!node) {
            return {};
        }
        return decode_acls(node.value().data.value_or("")).value();
    }
};

TEST_F(AclAuthorizerTest, ConcurrentWritersToOneResourceKeepEveryAcl) {
    auto a = start_broker();
    auto b = start_broker();
    auto add_many = [](AclAuthorizer& authorizer, const std::string& who) {
        for (int i = 0; i < 15; ++i) {
            const auto errors = authorizer.create_acls({read_by(who + std::to_string(i))});
            if (errors.at(0)) {
                return false;
            }
        }
        return true;
    };
    auto fa = std::async(std::launch::async, add_many, std::ref(*a->authorizer), "a");
    auto fb = std::async(std::launch::async, add_many, std::ref(*b->authorizer), "b");
    ASSERT_TRUE(fa.get());
    ASSERT_TRUE(fb.get());
    EXPECT_EQ(stored(*a, "/kafka-acl/Topic/orders").size(), 30u);
    const AclBindingFilter everything{{std::nullopt, std::nullopt, PatternType::any}, {}};
    for (auto* broker : {a.get(), b.get()}) {
        EXPECT_TRUE(test::eventually(
            [&] { return broker->authorizer->describe_acls(everything).size() == 30; }, 20s));
    }
}

TEST_F(AclAuthorizerTest, ChangesThroughOneBrokerApplyOnAnother) {
    auto a = start_broker();
    auto b = start_broker();
    const ResourcePattern prefixed{ResourceType::topic, "ord", PatternType::prefixed};
    EXPECT_FALSE(b->authorizer->authorize(session_of("alice"), AclOperation::read,
                                          ResourceType::topic, "orders"));
    ASSERT_FALSE(a->authorizer->create_acls({read_by("alice", prefixed)}).at(0));
    EXPECT_TRUE(test::eventually(
        [&] {
            return b->authorizer->authorize(session_of("alice"), AclOperation::read,
                                            ResourceType::topic, "orders");
        },
        20s));
    const AclBindingFilter alice{{ResourceType::topic, "orders", PatternType::match},
                                 {"User:alice", std::nullopt, std::nullopt, std::nullopt}};
    const auto deleted = a->authorizer->delete_acls({alice});
    ASSERT_EQ(deleted.at(0).deleted.size(), 1u);
    EXPECT_EQ(deleted.at(0).deleted[0].binding, read_by("alice", prefixed));
    EXPECT_TRUE(test::eventually(
        [&] {
            return !b->authorizer->authorize(session_of("alice"), AclOperation::read,
                                             ResourceType::topic, "orders");
        },
        20s));
}

TEST_F(AclAuthorizerTest, ResourceWithoutAclsLosesItsZnode) {
    auto a = start_broker();
    ASSERT_FALSE(a->authorizer->create_acls({read_by("alice"), read_by("bob")}).at(0));
    EXPECT_EQ(stored(*a, "/kafka-acl/Topic/orders").size(), 2u);
    const AclBindingFilter orders{{ResourceType::topic, "orders", PatternType::literal}, {}};
    EXPECT_EQ(a->authorizer->delete_acls({orders}).at(0).deleted.size(), 2u);
    auto node = a->zk->exists("/kafka-acl/Topic/orders");
    ASSERT_TRUE(node);
    EXPECT_FALSE(node.value().has_value());
    // One notification per change: two creations in one request are one change.
    auto changes = a->kafka->get_children("/kafka-acl-changes");
    ASSERT_TRUE(changes);
    EXPECT_EQ(changes.value().size(), 2u);
}

TEST_F(AclAuthorizerTest, StartLoadsWhatIsInZookeeper) {
    {
        auto a = start_broker();
        ASSERT_FALSE(a->authorizer->create_acls({read_by("alice")}).at(0));
    }
    auto b = start_broker();
    EXPECT_TRUE(b->authorizer->authorize(session_of("alice"), AclOperation::describe,
                                         ResourceType::topic, "orders"));
    EXPECT_FALSE(b->authorizer->authorize(session_of("bob"), AclOperation::describe,
                                          ResourceType::topic, "orders"));
}

}  // namespace
}  // namespace samsa::auth
