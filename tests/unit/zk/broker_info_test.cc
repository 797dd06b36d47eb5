#include "zk/broker_info.h"

#include <gtest/gtest.h>

namespace samsa::zk {
namespace {

TEST(ZkEndPointTest, ConnectionStringBracketsIpv6AndKeepsEmptyHost) {
    EXPECT_EQ((EndPoint{"CLIENT", "10.0.0.1", 9092, "SASL_SSL"}.connection_string()),
              "CLIENT://10.0.0.1:9092");
    EXPECT_EQ((EndPoint{"CLIENT", "::1", 9092, "PLAINTEXT"}.connection_string()),
              "CLIENT://[::1]:9092");
    EXPECT_EQ((EndPoint{"PLAINTEXT", "", 9092, "PLAINTEXT"}.connection_string()),
              "PLAINTEXT://:9092");
}

TEST(ZkEndPointTest, ParsesWithAProtocolMap) {
    const std::map<std::string, std::string> map{{"CLIENT", "SASL_SSL"}};
    const auto ep = EndPoint::parse("CLIENT://[fe80::1]:9093", &map);
    ASSERT_TRUE(ep);
    EXPECT_EQ(*ep, (EndPoint{"CLIENT", "fe80::1", 9093, "SASL_SSL"}));
}

TEST(ZkEndPointTest, WithoutAMapTheListenerNameIsTheProtocol) {
    const auto ep = EndPoint::parse("SSL://broker1:9093", nullptr);
    ASSERT_TRUE(ep);
    EXPECT_EQ(ep->security_protocol, "SSL");
    EXPECT_EQ(ep->host, "broker1");
    EXPECT_FALSE(EndPoint::parse("CLIENT://broker1:9093", nullptr));
}

TEST(ZkEndPointTest, RejectsMalformedStrings) {
    EXPECT_FALSE(EndPoint::parse("PLAINTEXT:/h:1", nullptr));
    EXPECT_FALSE(EndPoint::parse("PLAINTEXT://h", nullptr));
    EXPECT_FALSE(EndPoint::parse("PLAINTEXT://h:port", nullptr));
    EXPECT_FALSE(EndPoint::parse("://h:1", nullptr));
}

TEST(ZkBrokerInfoTest, PathAndEndpointLookup) {
    BrokerInfo info;
    info.id = BrokerId(7);
    info.endpoints = {{"A", "h", 1, "PLAINTEXT"}, {"B", "h", 2, "SSL"}};
    EXPECT_EQ(info.path(), "/brokers/ids/7");
    ASSERT_NE(info.endpoint("B"), nullptr);
    EXPECT_EQ(info.endpoint("B")->port, 2);
    EXPECT_EQ(info.endpoint("C"), nullptr);
}

}  // namespace
}  // namespace samsa::zk
