#include "zk/zk_data.h"

#include <gtest/gtest.h>

namespace samsa::zk {
namespace {

BrokerInfo example_broker() {
    BrokerInfo info;
    info.id = BrokerId(2);
    info.endpoints = {{"PLAIN", "10.0.0.1", 9092, "PLAINTEXT"},
                      {"CLIENT", "10.0.0.1", 9093, "SASL_SSL"},
                      {"REPL", "10.0.0.1", 9094, "SSL"}};
    info.rack = "r1";
    return info;
}

// ---- Paths -----------------------------------------------------------------------------------

TEST(ZkDataTest, PathBuildersFollowKafkasLayout) {
    const TopicPartition tp{"orders", 3};
    EXPECT_EQ(BrokerIdZNode::path(BrokerId(5)), "/brokers/ids/5");
    EXPECT_EQ(TopicZNode::path("orders"), "/brokers/topics/orders");
    EXPECT_EQ(TopicPartitionsZNode::path("orders"), "/brokers/topics/orders/partitions");
    EXPECT_EQ(TopicPartitionZNode::path(tp), "/brokers/topics/orders/partitions/3");
    EXPECT_EQ(TopicPartitionStateZNode::path(tp), "/brokers/topics/orders/partitions/3/state");
    EXPECT_EQ(ConfigEntityZNode::path(kConfigTypeTopic, "orders"), "/config/topics/orders");
    EXPECT_EQ(DeleteTopicsTopicZNode::path("orders"), "/admin/delete_topics/orders");
    EXPECT_EQ(ControllerZNode::path(), "/controller");
    EXPECT_EQ(ControllerEpochZNode::path(), "/controller_epoch");
    EXPECT_EQ(ClusterIdZNode::path(), "/cluster/id");
    EXPECT_EQ(ConfigEntityChangeNotificationSequenceZNode::path(),
              "/config/changes/config_change_");
    EXPECT_EQ(IsrChangeNotificationSequenceZNode::path("0000000042"),
              "/isr_change_notification/isr_change_0000000042");
    EXPECT_EQ(AclZNodes::resource_path(false, "Topic", "orders"), "/kafka-acl/Topic/orders");
    EXPECT_EQ(AclZNodes::resource_path(true, "Group", "app"),
              "/kafka-acl-extended/prefixed/Group/app");
    EXPECT_EQ(AclZNodes::change_path(false), "/kafka-acl-changes");
}

TEST(ZkDataTest, PersistentPathsAreKafkasList) {
    const std::vector<std::string> expected = {"/consumers",
                                               "/brokers/ids",
                                               "/brokers/topics",
                                               "/config/changes",
                                               "/admin/delete_topics",
                                               "/brokers/seqid",
                                               "/isr_change_notification",
                                               "/latest_producer_id_block",
                                               "/log_dir_event_notification",
                                               "/config/topics",
                                               "/config/clients",
                                               "/config/users",
                                               "/config/brokers",
                                               "/config/ips"};
    EXPECT_EQ(ZkData::persistent_zk_paths(), expected);
}

TEST(ZkDataTest, DefaultAclsAreOpenUnlessSecure) {
    EXPECT_EQ(ZkData::default_acls(false, "/brokers/ids"), open_acl_unsafe());
    EXPECT_EQ(ZkData::default_acls(true, "/consumers"), open_acl_unsafe());
    const std::vector<Acl> secure = {{Acl::all, "auth", ""}, {Acl::read, "world", "anyone"}};
    EXPECT_EQ(ZkData::default_acls(true, "/brokers/ids"), secure);
    EXPECT_EQ(ZkData::default_acls(true, "/config/users/alice"), creator_all_acl());
    EXPECT_EQ(ZkData::default_acls(true, "/config/brokers"), creator_all_acl());
}

// ---- Cluster id and controller ---------------------------------------------------------------

TEST(ZkDataTest, ClusterIdVersionIsAString) {
    EXPECT_EQ(ClusterIdZNode::encode("AAECAwQFBgcICQoLDA0ODw"),
              R"({"version":"1","id":"AAECAwQFBgcICQoLDA0ODw"})");
    EXPECT_EQ(ClusterIdZNode::decode(R"({"version":"1","id":"abc"})").value(), "abc");
    EXPECT_EQ(ClusterIdZNode::decode(R"({"version":"1"})").error(), Errc::malformed_data);
}

TEST(ZkDataTest, ControllerJsonHasAStringTimestamp) {
    EXPECT_EQ(ControllerZNode::encode(BrokerId(2), 1700000000000),
              R"({"version":1,"brokerid":2,"timestamp":"1700000000000"})");
    EXPECT_EQ(ControllerZNode::decode(ControllerZNode::encode(BrokerId(7), 1)).value(),
              BrokerId(7));
    EXPECT_EQ(ControllerZNode::decode("3").value(), BrokerId(3));
    EXPECT_FALSE(ControllerZNode::decode("{\"version\":1}"));
}

TEST(ZkDataTest, ControllerEpochIsDecimalText) {
    EXPECT_EQ(ControllerEpochZNode::encode(ControllerEpoch(7)), "7");
    EXPECT_EQ(ControllerEpochZNode::decode("0").value(), ControllerEpoch(0));
    EXPECT_EQ(ControllerEpochZNode::decode("42").value(), ControllerEpoch(42));
    EXPECT_FALSE(ControllerEpochZNode::decode(""));
    EXPECT_FALSE(ControllerEpochZNode::decode("7 "));
    EXPECT_FALSE(ControllerEpochZNode::decode("x"));
}

// ---- Broker registration ---------------------------------------------------------------------

TEST(ZkDataTest, BrokerRegistrationV5IsExactlyKafkasJson) {
    EXPECT_EQ(BrokerIdZNode::encode(example_broker(), 1700000000000),
              R"({"version":5,"host":"10.0.0.1","port":9092,"jmx_port":-1,)"
              R"("timestamp":"1700000000000","endpoints":["PLAIN://10.0.0.1:9092",)"
              R"("CLIENT://10.0.0.1:9093","REPL://10.0.0.1:9094"],)"
              R"("listener_security_protocol_map":{"PLAIN":"PLAINTEXT","CLIENT":"SASL_SSL",)"
              R"("REPL":"SSL"},"rack":"r1","features":{}})");
}

TEST(ZkDataTest, BrokerRegistrationWithoutPlaintextHasNullHostAndNoRack) {
    // ZK-MODE §a's example endpoints: no PLAINTEXT listener, so host/port are null/-1.
    BrokerInfo info;
    info.id = BrokerId(1);
    info.endpoints = {{"CLIENT", "10.0.0.1", 9092, "SASL_SSL"}, {"REPL", "10.0.0.1", 9093, "SSL"}};
    info.features["some.feature"] = {1, 3};
    EXPECT_EQ(BrokerIdZNode::encode(info, 1700000000000),
              R"({"version":5,"host":null,"port":-1,"jmx_port":-1,"timestamp":"1700000000000",)"
              R"("endpoints":["CLIENT://10.0.0.1:9092","REPL://10.0.0.1:9093"],)"
              R"("listener_security_protocol_map":{"CLIENT":"SASL_SSL","REPL":"SSL"},)"
              R"("features":{"some.feature":{"min_version":1,"max_version":3}}})");
}

TEST(ZkDataTest, BrokerRegistrationV4HasNoFeatures) {
    BrokerInfo info = example_broker();
    info.version = 4;
    const std::string json = BrokerIdZNode::encode(info, 5);
    EXPECT_EQ(json.find("features"), std::string::npos);
    EXPECT_EQ(json.rfind(R"({"version":4,)", 0), 0u);
}

TEST(ZkDataTest, BrokerRegistrationRoundTrips) {
    BrokerInfo info = example_broker();
    info.features["f"] = {2, 5};
    info.jmx_port = 9999;
    auto decoded = BrokerIdZNode::decode(info.id, BrokerIdZNode::encode(info, 1234));
    ASSERT_TRUE(decoded) << decoded.error().message();
    info.timestamp_ms = 1234;
    EXPECT_EQ(decoded.value(), info);
}

TEST(ZkDataTest, ReadsTheExampleRegistrationOfZkMode) {
    auto info = BrokerIdZNode::decode(
        BrokerId(2),
        R"({"version":5,"host":"10.0.0.1","port":9092,"jmx_port":-1,)"
        R"("timestamp":"1700000000000","endpoints":["CLIENT://10.0.0.1:9092","REPL://10.0.0.1:9093"],)"
        R"("listener_security_protocol_map":{"CLIENT":"SASL_SSL","REPL":"SSL"},"rack":"r1","features":{}})");
    ASSERT_TRUE(info);
    EXPECT_EQ(info.value().version, 5);
    EXPECT_EQ(info.value().timestamp_ms, 1700000000000);
    EXPECT_EQ(info.value().rack, "r1");
    ASSERT_EQ(info.value().endpoints.size(), 2u);
    EXPECT_EQ(info.value().endpoints[0], (EndPoint{"CLIENT", "10.0.0.1", 9092, "SASL_SSL"}));
    EXPECT_EQ(info.value().endpoints[1], (EndPoint{"REPL", "10.0.0.1", 9093, "SSL"}));
}

TEST(ZkDataTest, ReadsRegistrationVersion1HostAndPort) {
    auto info = BrokerIdZNode::decode(
        BrokerId(0), R"({"jmx_port":-1,"timestamp":"1","host":"h0","version":1,"port":9092})");
    ASSERT_TRUE(info);
    ASSERT_EQ(info.value().endpoints.size(), 1u);
    EXPECT_EQ(info.value().endpoints[0], (EndPoint{"PLAINTEXT", "h0", 9092, "PLAINTEXT"}));
    EXPECT_FALSE(info.value().rack);
}

TEST(ZkDataTest, ReadsRegistrationVersions2And3WithoutAProtocolMap) {
    auto v2 = BrokerIdZNode::decode(
        BrokerId(1), R"({"version":2,"host":"h","port":9092,"jmx_port":-1,"timestamp":"2",)"
                     R"("endpoints":["PLAINTEXT://h:9092","SSL://h:9093"]})");
    ASSERT_TRUE(v2);
    ASSERT_EQ(v2.value().endpoints.size(), 2u);
    EXPECT_EQ(v2.value().endpoints[1], (EndPoint{"SSL", "h", 9093, "SSL"}));

    auto v3 = BrokerIdZNode::decode(
        BrokerId(1), R"({"version":3,"host":"h","port":9092,"jmx_port":-1,"timestamp":"2",)"
                     R"("endpoints":["PLAINTEXT://h:9092"],"rack":"rack-a"})");
    ASSERT_TRUE(v3);
    EXPECT_EQ(v3.value().rack, "rack-a");
}

TEST(ZkDataTest, ReadsRegistrationVersion4WithListenerNamesAndNullRack) {
    auto v4 = BrokerIdZNode::decode(
        BrokerId(3), R"({"listener_security_protocol_map":{"INTERNAL":"PLAINTEXT",)"
                     R"("EXTERNAL":"SASL_PLAINTEXT"},"endpoints":["INTERNAL://[::1]:9092",)"
                     R"("EXTERNAL://ext.example.com:19092"],"rack":null,"jmx_port":9999,)"
                     R"("host":"::1","timestamp":"1600000000000","port":9092,"version":4})");
    ASSERT_TRUE(v4) << v4.error().message();
    EXPECT_EQ(v4.value().jmx_port, 9999);
    EXPECT_FALSE(v4.value().rack);
    EXPECT_EQ(v4.value().endpoints[0], (EndPoint{"INTERNAL", "::1", 9092, "PLAINTEXT"}));
    EXPECT_EQ(v4.value().endpoints[1],
              (EndPoint{"EXTERNAL", "ext.example.com", 19092, "SASL_PLAINTEXT"}));
}

TEST(ZkDataTest, RejectsMalformedRegistrations) {
    EXPECT_EQ(BrokerIdZNode::decode(BrokerId(1), "not json").error(), Errc::malformed_data);
    EXPECT_FALSE(BrokerIdZNode::decode(BrokerId(1), R"({"version":0})"));
    EXPECT_FALSE(BrokerIdZNode::decode(BrokerId(1), R"({"version":4,"endpoints":["X://h:1"],)"
                                                    R"("listener_security_protocol_map":{}})"));
    EXPECT_FALSE(BrokerIdZNode::decode(BrokerId(1), R"({"version":4,"endpoints":"x"})"));
}

// ---- Topics and partition state --------------------------------------------------------------

TEST(ZkDataTest, TopicJsonWithTopicIdIsVersion3) {
    const Uuid id(0x0001020304050607ULL, 0x08090a0b0c0d0e0fULL);
    std::map<int32_t, ReplicaAssignment> partitions;
    partitions[0].replicas = {BrokerId(1), BrokerId(2), BrokerId(3)};
    partitions[1].replicas = {BrokerId(2), BrokerId(3), BrokerId(1)};
    EXPECT_EQ(TopicZNode::encode(id, partitions),
              R"({"version":3,"topic_id":"AAECAwQFBgcICQoLDA0ODw",)"
              R"("partitions":{"0":[1,2,3],"1":[2,3,1]},"adding_replicas":{},)"
              R"("removing_replicas":{}})");
}

TEST(ZkDataTest, TopicJsonWithoutTopicIdAndWithAReassignment) {
    std::map<int32_t, ReplicaAssignment> partitions;
    partitions[0] = {{BrokerId(4), BrokerId(1), BrokerId(2)}, {BrokerId(4)}, {BrokerId(2)}};
    partitions[10].replicas = {BrokerId(1)};
    const std::string json = TopicZNode::encode(std::nullopt, partitions);
    EXPECT_EQ(json, R"({"version":3,"partitions":{"0":[4,1,2],"10":[1]},)"
                    R"("adding_replicas":{"0":[4]},"removing_replicas":{"0":[2]}})");
    auto decoded = TopicZNode::decode(json);
    ASSERT_TRUE(decoded);
    EXPECT_FALSE(decoded.value().topic_id);
    EXPECT_EQ(decoded.value().partitions, partitions);
}

TEST(ZkDataTest, ReadsTopicVersions1And2) {
    auto v1 = TopicZNode::decode(R"({"version":1,"partitions":{"0":[1],"1":[2]}})");
    ASSERT_TRUE(v1);
    EXPECT_EQ(v1.value().partitions.size(), 2u);
    EXPECT_EQ(v1.value().partitions.at(1).replicas, std::vector<BrokerId>{BrokerId(2)});

    auto v2 = TopicZNode::decode(R"({"version":2,"partitions":{"0":[1,2]},)"
                                 R"("adding_replicas":{},"removing_replicas":{"0":[2]}})");
    ASSERT_TRUE(v2);
    EXPECT_EQ(v2.value().partitions.at(0).removing_replicas, std::vector<BrokerId>{BrokerId(2)});

    const Uuid id = Uuid::random();
    auto v3 = TopicZNode::decode(TopicZNode::encode(id, {}));
    ASSERT_TRUE(v3);
    EXPECT_EQ(v3.value().topic_id, id);
    EXPECT_TRUE(v3.value().partitions.empty());
}

TEST(ZkDataTest, RejectsMalformedTopics) {
    EXPECT_FALSE(TopicZNode::decode(R"({"version":3,"partitions":{"x":[1]}})"));
    EXPECT_FALSE(TopicZNode::decode(R"({"version":3,"partitions":{"0":["1"]}})"));
    EXPECT_FALSE(TopicZNode::decode(R"({"version":3,"topic_id":"short","partitions":{}})"));
}

TEST(ZkDataTest, PartitionStateJsonIsKafkas) {
    LeaderIsrAndControllerEpoch state;
    state.leader_and_isr = {
        BrokerId(1), LeaderEpoch(5), {BrokerId(1), BrokerId(2), BrokerId(3)}, 0};
    state.controller_epoch = ControllerEpoch(3);
    const std::string json = TopicPartitionStateZNode::encode(state);
    EXPECT_EQ(json,
              R"({"controller_epoch":3,"leader":1,"version":1,"leader_epoch":5,"isr":[1,2,3]})");
    auto decoded = TopicPartitionStateZNode::decode(json, 17);
    ASSERT_TRUE(decoded);
    state.leader_and_isr.zk_version = 17;
    EXPECT_EQ(decoded.value(), state);
}

TEST(ZkDataTest, PartitionStateWithoutLeaderKeepsMinusOne) {
    auto decoded = TopicPartitionStateZNode::decode(
        R"({"controller_epoch":1,"leader":-1,"version":1,"leader_epoch":0,"isr":[]})", 0);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded.value().leader_and_isr.leader, kNoBroker);
    EXPECT_TRUE(decoded.value().leader_and_isr.isr.empty());
    EXPECT_FALSE(TopicPartitionStateZNode::decode(R"({"leader":1})", 0));
}

// ---- Configs and notifications ---------------------------------------------------------------

TEST(ZkDataTest, ConfigEntityValuesAreStrings) {
    const ConfigMap config{{"retention.ms", "86400000"}, {"cleanup.policy", "compact"}};
    const std::string json = ConfigEntityZNode::encode(config);
    EXPECT_EQ(json,
              R"({"version":1,"config":{"cleanup.policy":"compact","retention.ms":"86400000"}})");
    EXPECT_EQ(ConfigEntityZNode::decode(json).value(), config);
    EXPECT_EQ(ConfigEntityZNode::encode({}), R"({"version":1,"config":{}})");
    EXPECT_TRUE(ConfigEntityZNode::decode(std::nullopt).value().empty());
    EXPECT_FALSE(ConfigEntityZNode::decode(std::string(R"({"version":1,"config":{"a":1}})")));
}

TEST(ZkDataTest, ConfigChangeNotificationIsVersion2) {
    EXPECT_EQ(ConfigEntityChangeNotificationSequenceZNode::encode("topics/t"),
              R"({"version":2,"entity_path":"topics/t"})");
    EXPECT_EQ(ConfigEntityChangeNotificationSequenceZNode::decode(
                  R"({"version":2,"entity_path":"users/alice/clients/app1"})")
                  .value(),
              "users/alice/clients/app1");
    EXPECT_EQ(ConfigEntityChangeNotificationSequenceZNode::decode(
                  R"({"version":1,"entity_type":"topics","entity_name":"t"})")
                  .value(),
              "topics/t");
}

TEST(ZkDataTest, IsrChangeNotificationRoundTrips) {
    const std::vector<TopicPartition> partitions{{"t", 0}, {"u", 7}};
    const std::string json = IsrChangeNotificationSequenceZNode::encode(partitions);
    EXPECT_EQ(json, R"({"version":1,"partitions":[{"topic":"t","partition":0},)"
                    R"({"topic":"u","partition":7}]})");
    EXPECT_EQ(IsrChangeNotificationSequenceZNode::decode(json).value(), partitions);
}

TEST(ZkDataTest, PreferredReplicaElectionListsPartitionsAsTheToolWritesThem) {
    EXPECT_EQ(PreferredReplicaElectionZNode::path(), "/admin/preferred_replica_election");
    // kafka-preferred-replica-election.sh's JSON, key order as it writes it.
    auto decoded = PreferredReplicaElectionZNode::decode(
        R"({"version":1,"partitions":[{"partition":2,"topic":"orders"}]})");
    ASSERT_TRUE(decoded);
    EXPECT_EQ(decoded.value(), (std::vector<TopicPartition>{{"orders", 2}}));
    EXPECT_EQ(PreferredReplicaElectionZNode::decode(
                  PreferredReplicaElectionZNode::encode(decoded.value()))
                  .value(),
              decoded.value());
    EXPECT_FALSE(PreferredReplicaElectionZNode::decode(R"({"version":1})"));
    EXPECT_FALSE(PreferredReplicaElectionZNode::decode("not json"));
}

TEST(ZkDataTest, ReassignPartitionsReadsTheToolsTargetsAndWritesThemBack) {
    EXPECT_EQ(ReassignPartitionsZNode::path(), "/admin/reassign_partitions");
    // kafka-reassign-partitions.sh's JSON (it also writes "log_dirs", which is ignored).
    auto decoded = ReassignPartitionsZNode::decode(
        R"({"version":1,"partitions":[{"topic":"orders","partition":1,"replicas":[3,2],)"
        R"("log_dirs":["any","any"]},{"topic":"audit","partition":0,"replicas":[1]}]})");
    ASSERT_TRUE(decoded);
    const std::map<TopicPartition, std::vector<BrokerId>> expected{
        {{"orders", 1}, {BrokerId{3}, BrokerId{2}}}, {{"audit", 0}, {BrokerId{1}}}};
    EXPECT_EQ(decoded.value(), expected);
    EXPECT_EQ(ReassignPartitionsZNode::decode(ReassignPartitionsZNode::encode(expected)).value(),
              expected);
    EXPECT_EQ(ReassignPartitionsZNode::encode({}), R"({"version":1,"partitions":[]})");
}

TEST(ZkDataTest, ReassignPartitionsRejectsEntriesWithoutReplicas) {
    EXPECT_FALSE(ReassignPartitionsZNode::decode(
        R"({"version":1,"partitions":[{"topic":"t","partition":0}]})"));
    EXPECT_FALSE(ReassignPartitionsZNode::decode(
        R"({"version":1,"partitions":[{"topic":"t","partition":0,"replicas":["1"]}]})"));
    EXPECT_FALSE(ReassignPartitionsZNode::decode(R"({"version":1})"));
}

}  // namespace
}  // namespace samsa::zk
