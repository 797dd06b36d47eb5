#include "broker/server/end_point.h"

#include <gtest/gtest.h>

namespace samsa::server {
namespace {

EndPoint parse_ok(std::string_view text) {
    std::string why;
    auto ep = parse_end_point(text, &why);
    EXPECT_TRUE(ep.has_value()) << text << ": " << why;
    return ep.value_or(EndPoint{});
}

std::string parse_error(std::string_view text) {
    std::string why;
    EXPECT_FALSE(parse_end_point(text, &why).has_value()) << text;
    return why;
}

TEST(EndPointTest, ParsesNameHostAndPort) {
    EndPoint ep = parse_ok("PLAINTEXT://broker1.example.com:9092");
    EXPECT_EQ(ep.listener_name, "PLAINTEXT");
    EXPECT_EQ(ep.host, "broker1.example.com");
    EXPECT_EQ(ep.port, 9092);
}

TEST(EndPointTest, EmptyHostMeansAllInterfaces) {
    EndPoint ep = parse_ok("PLAINTEXT://:9092");
    EXPECT_EQ(ep.host, "");
    EXPECT_EQ(ep.to_string(), "PLAINTEXT://:9092");
}

TEST(EndPointTest, ListenerNamesAreUpperCased) {
    EXPECT_EQ(parse_ok("internal://10.0.0.1:9093").listener_name, "INTERNAL");
}

TEST(EndPointTest, Ipv6HostsAreBracketed) {
    EndPoint ep = parse_ok("SSL://[::1]:9093");
    EXPECT_EQ(ep.host, "::1");
    EXPECT_EQ(ep.port, 9093);
    EXPECT_EQ(ep.to_string(), "SSL://[::1]:9093");
    EXPECT_NE(parse_error("SSL://::1:9093").find("brackets"), std::string::npos);
}

TEST(EndPointTest, PortZeroIsAllowed) {
    EXPECT_EQ(parse_ok("PLAINTEXT://127.0.0.1:0").port, 0);
}

TEST(EndPointTest, RejectsMalformedEntries) {
    parse_error("127.0.0.1:9092");
    parse_error("PLAINTEXT://127.0.0.1");
    parse_error("PLAINTEXT://127.0.0.1:99999");
    parse_error("PLAINTEXT://127.0.0.1:port");
    parse_error("://127.0.0.1:9092");
    parse_error("PLAIN TEXT://127.0.0.1:9092");
    parse_error("PLAINTEXT://bad/host:9092");
    parse_error("SSL://[::1:9093");
}

TEST(SecurityProtocolTest, RoundTripsNamesCaseInsensitively) {
    EXPECT_EQ(security_protocol_from_string("sasl_ssl"), SecurityProtocol::sasl_ssl);
    EXPECT_EQ(to_string(SecurityProtocol::sasl_plaintext), "SASL_PLAINTEXT");
    EXPECT_FALSE(security_protocol_from_string("TLS").has_value());
}

TEST(ZkConnectTest, SplitsHostsAndChroot) {
    std::string why;
    auto zk = parse_zk_connect("zk1:2181,zk2:2182, zk3/kafka/prod", &why);
    ASSERT_TRUE(zk) << why;
    EXPECT_EQ(zk->hosts, (std::vector<std::string>{"zk1:2181", "zk2:2182", "zk3:2181"}));
    EXPECT_EQ(zk->chroot, "/kafka/prod");
    EXPECT_EQ(zk->hosts_string(), "zk1:2181,zk2:2182,zk3:2181");
    EXPECT_EQ(zk->to_string(), "zk1:2181,zk2:2182,zk3:2181/kafka/prod");
}

TEST(ZkConnectTest, RootChrootIsNoChroot) {
    auto zk = parse_zk_connect("127.0.0.1:2181/", nullptr);
    ASSERT_TRUE(zk);
    EXPECT_EQ(zk->chroot, "");
}

TEST(ZkConnectTest, AcceptsBracketedIpv6) {
    auto zk = parse_zk_connect("[::1]:2181", nullptr);
    ASSERT_TRUE(zk);
    EXPECT_EQ(zk->hosts.front(), "[::1]:2181");
}

TEST(ZkConnectTest, RejectsBadInput) {
    EXPECT_FALSE(parse_zk_connect("", nullptr));
    EXPECT_FALSE(parse_zk_connect("/kafka", nullptr));
    EXPECT_FALSE(parse_zk_connect("zk1:abc", nullptr));
    EXPECT_FALSE(parse_zk_connect("zk1:0", nullptr));
    EXPECT_FALSE(parse_zk_connect("zk1:2181/kafka/", nullptr));
    EXPECT_FALSE(parse_zk_connect("zk1:2181/a//b", nullptr));
    EXPECT_FALSE(parse_zk_connect("zk1:2181/a/../b", nullptr));
}

}  // namespace
}  // namespace samsa::server
