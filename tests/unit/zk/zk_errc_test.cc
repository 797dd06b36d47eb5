#include "zk/zk_errc.h"

#include <gtest/gtest.h>
#include <zookeeper/zookeeper.h>

namespace samsa::zk {
namespace {

TEST(ZkErrcTest, CodesMapOneToOneFromTheCClient) {
    EXPECT_FALSE(make_zk_error(ZOK));
    EXPECT_EQ(make_zk_error(ZNONODE), Errc::no_node);
    EXPECT_EQ(make_zk_error(ZNODEEXISTS), Errc::node_exists);
    EXPECT_EQ(make_zk_error(ZBADVERSION), Errc::bad_version);
    EXPECT_EQ(make_zk_error(ZNOTEMPTY), Errc::not_empty);
    EXPECT_EQ(make_zk_error(ZCONNECTIONLOSS), Errc::connection_loss);
    EXPECT_EQ(make_zk_error(ZSESSIONEXPIRED), Errc::session_expired);
    EXPECT_EQ(make_zk_error(ZOPERATIONTIMEOUT), Errc::operation_timeout);
    EXPECT_EQ(make_zk_error(ZNOAUTH), Errc::no_auth);
    EXPECT_EQ(make_zk_error(ZAUTHFAILED), Errc::auth_failed);
    EXPECT_EQ(make_zk_error(ZINVALIDACL), Errc::invalid_acl);
    EXPECT_EQ(make_zk_error(ZMARSHALLINGERROR), Errc::marshalling_error);
    EXPECT_EQ(make_zk_error(ZCLOSING), Errc::closing);
    EXPECT_EQ(make_zk_error(ZUNIMPLEMENTED), Errc::unimplemented);
    EXPECT_EQ(make_zk_error(ZSYSTEMERROR), Errc::system_error);
}

TEST(ZkErrcTest, IsAStdErrorCodeWithReadableMessages) {
    const std::error_code ec = Errc::no_node;
    EXPECT_STREQ(ec.category().name(), "zookeeper");
    EXPECT_NE(ec.message().find("no node"), std::string::npos) << ec.message();
    EXPECT_NE(std::error_code(Errc::connection_timeout).message().find("timed out waiting"),
              std::string::npos);
    EXPECT_NE(std::error_code(Errc::controller_moved).message().find("controller moved"),
              std::string::npos);
}

}  // namespace
}  // namespace samsa::zk
