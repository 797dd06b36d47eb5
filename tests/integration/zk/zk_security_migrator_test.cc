// ZkSecurityMigrator against a real server: an open cluster's znodes are locked down in place,
// and opened again.

#include "zk/zk_security_migrator.h"

#include "tests/integration/zk/zk_test_fixture.h"
#include "zk/kafka_zk_client.h"
#include "zk/zk_data.h"
#include "zk/zk_errc.h"
#include "zk/zookeeper_client.h"

namespace samsa::zk {
namespace {

class ZkSecurityMigratorTest : public test::ZkServerTest {
  protected:
    std::unique_ptr<ZooKeeperClient> client(const std::string& login) {
        auto o = options();
        if (!login.empty()) {
            o.auth_scheme = "digest";
            o.auth_credentials = login;
        }
        return connect(std::move(o));
    }

    bool world_writable(ZooKeeperClient& zk, const std::string& path) {
        auto acl = zk.get_acl(path);
        EXPECT_TRUE(acl) << path;
        for (const auto& a : acl.value().acls) {
            if (a.scheme == "world" && (a.perms & 2 /* WRITE */))
                return true;
        }
        return false;
    }
};

TEST_F(ZkSecurityMigratorTest, SecuresAnOpenClusterAndOpensItAgain) {
    auto admin = client("samsa-broker:secret");
    KafkaZkClient kafka(*admin);
    ASSERT_TRUE(kafka.create_top_level_paths());
    ASSERT_TRUE(admin->create_recursive("/brokers/topics/orders/partitions/0/state", "{}", true));
    ASSERT_TRUE(admin->create_recursive("/config/users/alice", "{}", true));
    ASSERT_TRUE(world_writable(*admin, "/brokers/topics/orders/partitions/0/state"));

    auto migrated = migrate_znode_acls(*admin, ZkAclMode::secure);
    ASSERT_TRUE(migrated) << migrated.error().message();
    EXPECT_GT(migrated.value(), 10);

    auto anonymous = client("");
    EXPECT_FALSE(world_writable(*admin, "/brokers/topics/orders/partitions/0/state"));
    EXPECT_EQ(anonymous->set_data({"/brokers/topics/orders/partitions/0/state", "x", -1}).error(),
              Errc::no_auth);
    EXPECT_TRUE(anonymous->get_data("/brokers/topics/orders/partitions/0/state"));  // world-read
    EXPECT_EQ(anonymous->get_data("/config/users/alice").error(), Errc::no_auth);
    EXPECT_TRUE(admin->set_data({"/config/users/alice", "{}", -1}));
    EXPECT_TRUE(world_writable(*admin, "/consumers"));  // stays open, as in Kafka

    ASSERT_TRUE(migrate_znode_acls(*admin, ZkAclMode::unsecure));
    EXPECT_TRUE(anonymous->set_data({"/brokers/topics/orders/partitions/0/state", "x", -1}));
    EXPECT_TRUE(anonymous->get_data("/config/users/alice"));
}

}  // namespace
}  // namespace samsa::zk
