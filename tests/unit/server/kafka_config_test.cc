#include "broker/server/kafka_config.h"

#include "broker/server/kafka_config_resolve.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace samsa::server {
namespace {

using ::testing::HasSubstr;

const Properties kMinimal{{"zookeeper.connect", "127.0.0.1:2181"}};

Properties with(Properties props, std::initializer_list<std::pair<std::string, std::string>> more) {
    for (const auto& kv : more)
        props.push_back(kv);
    return props;
}

KafkaConfig parse(const Properties& props, const Properties& overrides = {}) {
    return parse_kafka_config(props, overrides).config;
}

// Parses `props`, expecting a ConfigError whose message names `key` and `value`.
void expect_rejected(const Properties& props, const std::string& key, const std::string& value) {
    try {
        parse_kafka_config(props);
        ADD_FAILURE() << "expected a ConfigError naming " << key;
    } catch (const ConfigError& e) {
        EXPECT_THAT(e.what(), HasSubstr("'" + key + "'"));
        EXPECT_THAT(e.what(), HasSubstr(value));
        EXPECT_EQ(e.key(), key);
    }
}

TEST(KafkaConfigTest, MinimalConfigGetsKafkaDefaults) {
    ParsedConfig parsed = parse_kafka_config(kMinimal);
    const KafkaConfig& c = parsed.config;
    EXPECT_TRUE(parsed.warnings.empty());
    EXPECT_EQ(c.broker_id, -1);
    EXPECT_TRUE(c.broker_id_generation_enable);
    EXPECT_EQ(c.reserved_broker_max_id, 1000);
    EXPECT_FALSE(c.broker_rack.has_value());
    ASSERT_EQ(c.listeners.size(), 1u);
    EXPECT_EQ(c.listeners[0], (EndPoint{"PLAINTEXT", "", 9092, SecurityProtocol::plaintext}));
    EXPECT_EQ(c.advertised_listeners, c.listeners);
    EXPECT_EQ(c.listener_security_protocol_map.size(), 4u);
    EXPECT_EQ(c.inter_broker_listener_name, "PLAINTEXT");
    EXPECT_EQ(c.security_inter_broker_protocol, SecurityProtocol::plaintext);
    EXPECT_EQ(c.zookeeper_connect.hosts, std::vector<std::string>{"127.0.0.1:2181"});
    EXPECT_EQ(c.zookeeper_session_timeout_ms, 18000);
    EXPECT_EQ(c.zookeeper_connection_timeout_ms, 18000);
    EXPECT_EQ(c.zookeeper_max_in_flight_requests, 10);
    EXPECT_FALSE(c.zookeeper_set_acl);
    EXPECT_EQ(c.log_dirs, std::vector<std::string>{"/tmp/kafka-logs"});
    EXPECT_EQ(c.num_partitions, 1);
    EXPECT_EQ(c.default_replication_factor, 1);
    EXPECT_EQ(c.min_insync_replicas, 1);
    EXPECT_EQ(c.log_segment_bytes, 1073741824);
    EXPECT_EQ(c.log_roll_ms, 168LL * 3600 * 1000);
    EXPECT_EQ(c.log_roll_jitter_ms, 0);
    EXPECT_EQ(c.log_retention_ms, 168LL * 3600 * 1000);
    EXPECT_EQ(c.log_retention_bytes, -1);
    EXPECT_EQ(c.log_retention_check_interval_ms, 300000);
    EXPECT_EQ(c.log_segment_delete_delay_ms, 60000);
    EXPECT_EQ(c.log_index_size_max_bytes, 10485760);
    EXPECT_EQ(c.log_index_interval_bytes, 4096);
    EXPECT_EQ(c.log_flush_interval_messages, INT64_MAX);
    EXPECT_EQ(c.log_flush_interval_ms, INT64_MAX);
    EXPECT_EQ(c.log_flush_offset_checkpoint_interval_ms, 60000);
    EXPECT_EQ(c.message_max_bytes, 1048588);
    EXPECT_EQ(c.log_message_timestamp_type, "CreateTime");
    EXPECT_EQ(c.log_message_timestamp_difference_max_ms, INT64_MAX);
    EXPECT_EQ(c.compression_type, "producer");
    EXPECT_EQ(c.log_cleanup_policy, std::vector<std::string>{"delete"});
    EXPECT_DOUBLE_EQ(c.log_cleaner_min_cleanable_ratio, 0.5);
    // Not Kafka's 3: one network thread per two CPUs (kafka_config_resolve.h says why).
    EXPECT_EQ(c.num_network_threads, std::max(1, detail::available_cpus() / 2));
    EXPECT_EQ(c.num_io_threads, 8);
    EXPECT_EQ(c.queued_max_requests, 500);
    EXPECT_EQ(c.socket_request_max_bytes, 104857600);
    EXPECT_EQ(c.socket_send_buffer_bytes, 102400);
    EXPECT_EQ(c.connections_max_idle_ms, 600000);
    EXPECT_EQ(c.replica_lag_time_max_ms, 30000);
    EXPECT_EQ(c.replica_fetch_max_bytes, 1048576);
    EXPECT_EQ(c.controller_socket_timeout_ms, 30000);
    EXPECT_FALSE(c.unclean_leader_election_enable);
    EXPECT_TRUE(c.auto_leader_rebalance_enable);
    EXPECT_TRUE(c.controlled_shutdown_enable);
    EXPECT_EQ(c.controlled_shutdown_max_retries, 3);
    EXPECT_EQ(c.offsets_topic_replication_factor, 3);
    EXPECT_EQ(c.offsets_topic_num_partitions, 50);
    EXPECT_EQ(c.offsets_commit_required_acks, -1);
    EXPECT_EQ(c.group_initial_rebalance_delay_ms, 3000);
    EXPECT_EQ(c.transaction_state_log_min_isr, 2);
    EXPECT_EQ(c.sasl_enabled_mechanisms, std::vector<std::string>{"GSSAPI"});
    EXPECT_EQ(c.ssl_enabled_protocols, (std::vector<std::string>{"TLSv1.2", "TLSv1.3"}));
    EXPECT_TRUE(c.ssl_cipher_suites.empty());
    EXPECT_EQ(c.ssl_client_auth, "none");
    EXPECT_EQ(c.authorizer_class_name, "");
    EXPECT_EQ(c.log_level, "info");
}

TEST(KafkaConfigTest, ZookeeperConnectIsRequired) {
    try {
        parse_kafka_config({{"broker.id", "0"}});
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_THAT(e.what(), HasSubstr("zookeeper.connect"));
        EXPECT_EQ(e.key(), "zookeeper.connect");
    }
}

TEST(KafkaConfigTest, ParsesZookeeperChroot) {
    KafkaConfig c = parse({{"zookeeper.connect", "zk1:2181,zk2:2181/kafka"}});
    EXPECT_EQ(c.zookeeper_connect.hosts, (std::vector<std::string>{"zk1:2181", "zk2:2181"}));
    EXPECT_EQ(c.zookeeper_connect.chroot, "/kafka");
}

TEST(KafkaConfigTest, TrimsValues) {
    EXPECT_EQ(parse(with(kMinimal, {{"num.partitions", " 6  "}})).num_partitions, 6);
}

TEST(KafkaConfigTest, OverrideWinsOverFile) {
    Properties file = with(kMinimal, {{"broker.id", "1"}, {"log.dirs", "/a"}});
    KafkaConfig c = parse(file, {{"broker.id", "7"}, {"num.io.threads", "2"}});
    EXPECT_EQ(c.broker_id, 7);
    EXPECT_EQ(c.num_io_threads, 2);
    EXPECT_EQ(c.log_dirs, std::vector<std::string>{"/a"});
}

TEST(KafkaConfigTest, LastOccurrenceInFileWinsWithAWarning) {
    ParsedConfig p = parse_kafka_config(with(kMinimal, {{"broker.id", "1"}, {"broker.id", "2"}}));
    EXPECT_EQ(p.config.broker_id, 2);
    ASSERT_EQ(p.warnings.size(), 1u);
    EXPECT_THAT(p.warnings[0], HasSubstr("broker.id"));
}

TEST(KafkaConfigTest, UnknownKeyIsAWarningNotAnError) {
    ParsedConfig p = parse_kafka_config(with(kMinimal, {{"foo.bar", "1"}}), {{"baz", "2"}});
    EXPECT_THAT(p.warnings, ::testing::ElementsAre("Unknown configuration key 'foo.bar' (ignored)",
                                                   "Unknown configuration key 'baz' (ignored)"));
    EXPECT_FALSE(is_known_config_key("foo.bar"));
    EXPECT_TRUE(is_known_config_key("log.retention.hours"));
}

TEST(KafkaConfigTest, ListenerPrefixedKeysAreKeptNotWarned) {
    ParsedConfig p = parse_kafka_config(
        with(kMinimal, {{"listener.name.sasl_ssl.plain.sasl.jaas.config", "secret stuff"},
                        {"listener.name.ssl.ssl.keystore.location", "/ks.jks"}}));
    EXPECT_TRUE(p.warnings.empty());
    EXPECT_EQ(p.config.listener_name_configs.at("listener.name.ssl.ssl.keystore.location"),
              "/ks.jks");
    const std::string dump = p.config.to_string();
    EXPECT_THAT(dump, HasSubstr("listener.name.sasl_ssl.plain.sasl.jaas.config = [hidden]"));
    EXPECT_THAT(dump, HasSubstr("listener.name.ssl.ssl.keystore.location = /ks.jks"));
}

TEST(KafkaConfigTest, LogDirsFallsBackToLogDir) {
    EXPECT_EQ(parse(with(kMinimal, {{"log.dir", "/data/k"}})).log_dirs,
              std::vector<std::string>{"/data/k"});
    KafkaConfig c = parse(with(kMinimal, {{"log.dir", "/x"}, {"log.dirs", "/d1, /d2,"}}));
    EXPECT_EQ(c.log_dirs, (std::vector<std::string>{"/d1", "/d2"}));
}

TEST(KafkaConfigTest, LogRollMsBeatsHours) {
    EXPECT_EQ(parse(with(kMinimal, {{"log.roll.hours", "2"}})).log_roll_ms, 2 * 3600000);
    EXPECT_EQ(parse(with(kMinimal, {{"log.roll.hours", "2"}, {"log.roll.ms", "1234"}})).log_roll_ms,
              1234);
    EXPECT_EQ(parse(with(kMinimal, {{"log.roll.jitter.hours", "1"}})).log_roll_jitter_ms, 3600000);
}

TEST(KafkaConfigTest, LogRetentionMsBeatsMinutesBeatsHours) {
    EXPECT_EQ(parse(with(kMinimal, {{"log.retention.hours", "1"}})).log_retention_ms, 3600000);
    EXPECT_EQ(parse(with(kMinimal, {{"log.retention.hours", "1"}, {"log.retention.minutes", "5"}}))
                  .log_retention_ms,
              300000);
    EXPECT_EQ(parse(with(kMinimal, {{"log.retention.minutes", "5"}, {"log.retention.ms", "42"}}))
                  .log_retention_ms,
              42);
}

TEST(KafkaConfigTest, NegativeRetentionMeansForever) {
    EXPECT_EQ(parse(with(kMinimal, {{"log.retention.hours", "-5"}})).log_retention_ms, -1);
    EXPECT_EQ(parse(with(kMinimal, {{"log.retention.ms", "-1"}})).log_retention_ms, -1);
    expect_rejected(with(kMinimal, {{"log.retention.ms", "0"}}), "log.retention.ms", "0");
}

TEST(KafkaConfigTest, DerivedTimeoutsFollowTheirBase) {
    KafkaConfig c = parse(with(kMinimal, {{"zookeeper.session.timeout.ms", "6000"},
                                          {"log.flush.scheduler.interval.ms", "1000"}}));
    EXPECT_EQ(c.zookeeper_connection_timeout_ms, 6000);
    EXPECT_EQ(c.log_flush_interval_ms, 1000);
    c = parse(with(kMinimal,
                   {{"zookeeper.connection.timeout.ms", "500"}, {"log.flush.interval.ms", "10"}}));
    EXPECT_EQ(c.zookeeper_connection_timeout_ms, 500);
    EXPECT_EQ(c.log_flush_interval_ms, 10);
}

TEST(KafkaConfigTest, BadNumbersNameKeyAndValue) {
    expect_rejected(with(kMinimal, {{"num.partitions", "abc"}}), "num.partitions", "abc");
    expect_rejected(with(kMinimal, {{"num.partitions", "1.5"}}), "num.partitions", "1.5");
    expect_rejected(with(kMinimal, {{"num.partitions", ""}}), "num.partitions", "''");
    expect_rejected(with(kMinimal, {{"broker.id", "99999999999"}}), "broker.id", "99999999999");
    expect_rejected(with(kMinimal, {{"offsets.topic.replication.factor", "40000"}}),
                    "offsets.topic.replication.factor", "40000");
    expect_rejected(with(kMinimal, {{"log.cleaner.min.cleanable.ratio", "x"}}),
                    "log.cleaner.min.cleanable.ratio", "x");
    EXPECT_EQ(parse(with(kMinimal, {{"num.partitions", "+4"}})).num_partitions, 4);
}

TEST(KafkaConfigTest, OutOfRangeNamesKeyAndValue) {
    expect_rejected(with(kMinimal, {{"num.io.threads", "0"}}), "num.io.threads", "0");
    expect_rejected(with(kMinimal, {{"log.cleaner.min.cleanable.ratio", "1.5"}}),
                    "log.cleaner.min.cleanable.ratio", "1.5");
    expect_rejected(with(kMinimal, {{"broker.id", "5000"}}), "broker.id", "5000");
    expect_rejected(with(kMinimal, {{"broker.id", "-1"}, {"broker.id.generation.enable", "false"}}),
                    "broker.id", "-1");
    expect_rejected(with(kMinimal, {{"replica.fetch.wait.max.ms", "40000"}}),
                    "replica.fetch.wait.max.ms", "40000");
    expect_rejected(with(kMinimal, {{"offsets.commit.required.acks", "5"}}),
                    "offsets.commit.required.acks", "5");
}

TEST(KafkaConfigTest, BooleansAreTrueOrFalseOnly) {
    EXPECT_FALSE(parse(with(kMinimal, {{"delete.topic.enable", "FALSE"}})).delete_topic_enable);
    expect_rejected(with(kMinimal, {{"delete.topic.enable", "yes"}}), "delete.topic.enable", "yes");
}

TEST(KafkaConfigTest, WordsMustBeOneOfTheAllowedOnes) {
    expect_rejected(with(kMinimal, {{"log.message.timestamp.type", "createtime"}}),
                    "log.message.timestamp.type", "createtime");
    expect_rejected(with(kMinimal, {{"compression.type", "brotli"}}), "compression.type", "brotli");
    expect_rejected(with(kMinimal, {{"log.cleanup.policy", "delete,shred"}}), "log.cleanup.policy",
                    "delete,shred");
    expect_rejected(with(kMinimal, {{"log.level", "verbose"}}), "log.level", "verbose");
    EXPECT_EQ(parse(with(kMinimal, {{"log.cleanup.policy", "compact, delete"}})).log_cleanup_policy,
              (std::vector<std::string>{"compact", "delete"}));
}

TEST(KafkaConfigTest, ParsesSeveralListenersWithCustomNames) {
    KafkaConfig c = parse(with(
        kMinimal,
        {{"listeners", "INTERNAL://0.0.0.0:9092,EXTERNAL://[::]:9093"},
         {"advertised.listeners", "INTERNAL://10.0.0.5:9092,EXTERNAL://kafka1.example.com:9093"},
         {"listener.security.protocol.map", "INTERNAL:PLAINTEXT,EXTERNAL:sasl_ssl"},
         {"inter.broker.listener.name", "internal"}}));
    ASSERT_EQ(c.listeners.size(), 2u);
    EXPECT_EQ(c.listeners[1], (EndPoint{"EXTERNAL", "::", 9093, SecurityProtocol::sasl_ssl}));
    EXPECT_EQ(c.advertised_listeners[0],
              (EndPoint{"INTERNAL", "10.0.0.5", 9092, SecurityProtocol::plaintext}));
    EXPECT_EQ(c.advertised_listeners[1].host, "kafka1.example.com");
    EXPECT_EQ(c.inter_broker_listener_name, "INTERNAL");
    EXPECT_EQ(c.security_inter_broker_protocol, SecurityProtocol::plaintext);
}

TEST(KafkaConfigTest, SecurityInterBrokerProtocolPicksTheListenerOfThatName) {
    KafkaConfig c = parse(with(kMinimal, {{"listeners", "PLAINTEXT://:9092,SSL://:9093"},
                                          {"security.inter.broker.protocol", "SSL"}}));
    EXPECT_EQ(c.inter_broker_listener_name, "SSL");
    EXPECT_EQ(c.security_inter_broker_protocol, SecurityProtocol::ssl);
}

TEST(KafkaConfigTest, BadListenersNameTheKey) {
    expect_rejected(with(kMinimal, {{"listeners", "PLAINTEXT://localhost"}}), "listeners",
                    "PLAINTEXT://localhost");
    expect_rejected(with(kMinimal, {{"listeners", "PLAINTEXT://:9092,plaintext://:9093"}}),
                    "listeners", "PLAINTEXT://:9092,plaintext://:9093");
    expect_rejected(with(kMinimal, {{"listeners", "PLAINTEXT://a:9092,SSL://b:9092"}}), "listeners",
                    "9092");
    expect_rejected(with(kMinimal, {{"listeners", "CUSTOM://:9092"}}), "listeners", "CUSTOM");
    expect_rejected(with(kMinimal, {{"listeners", ""}}), "listeners", "''");
    expect_rejected(with(kMinimal, {{"listener.security.protocol.map", "A:TLS"}}),
                    "listener.security.protocol.map", "A:TLS");
    expect_rejected(with(kMinimal, {{"security.inter.broker.protocol", "TLS"}}),
                    "security.inter.broker.protocol", "TLS");
}

TEST(KafkaConfigTest, AdvertisedListenersMustBeRoutableAndDeclared) {
    expect_rejected(with(kMinimal, {{"listeners", "PLAINTEXT://0.0.0.0:9092"}}), "listeners",
                    "0.0.0.0");
    expect_rejected(with(kMinimal, {{"listeners", "PLAINTEXT://0.0.0.0:9092"},
                                    {"advertised.listeners", "PLAINTEXT://0.0.0.0:9092"}}),
                    "advertised.listeners", "0.0.0.0");
    expect_rejected(with(kMinimal, {{"advertised.listeners", "SSL://host:9093"}}),
                    "advertised.listeners", "SSL://host:9093");
    KafkaConfig c = parse(with(kMinimal, {{"listeners", "PLAINTEXT://0.0.0.0:9092"},
                                          {"advertised.listeners", "PLAINTEXT://host1:9092"}}));
    EXPECT_EQ(c.advertised_listeners[0].host, "host1");
}

TEST(KafkaConfigTest, InterBrokerListenerMustBeAdvertised) {
    expect_rejected(with(kMinimal, {{"listeners", "SSL://:9093"}}),
                    "security.inter.broker.protocol", "PLAINTEXT");
    expect_rejected(with(kMinimal, {{"inter.broker.listener.name", "NOPE"}}),
                    "inter.broker.listener.name", "NOPE");
    expect_rejected(with(kMinimal, {{"inter.broker.listener.name", "PLAINTEXT"},
                                    {"security.inter.broker.protocol", "PLAINTEXT"}}),
                    "inter.broker.listener.name", "PLAINTEXT");
}

TEST(KafkaConfigTest, BadZookeeperConnectNamesTheKey) {
    expect_rejected({{"zookeeper.connect", "zk1:notaport"}}, "zookeeper.connect", "zk1:notaport");
    expect_rejected({{"zookeeper.connect", ""}}, "zookeeper.connect", "''");
}

TEST(KafkaConfigTest, DumpListsEffectiveValuesSortedWithSecretsHidden) {
    KafkaConfig c =
        parse(with(kMinimal, {{"ssl.keystore.password", "s3cret"}, {"broker.id", "4"}}));
    const std::string dump = c.to_string();
    EXPECT_EQ(dump.rfind("KafkaConfig values:\n", 0), 0u);
    EXPECT_THAT(dump, HasSubstr("\tbroker.id = 4\n"));
    EXPECT_THAT(dump, HasSubstr("\tadvertised.listeners = PLAINTEXT://:9092\n"));
    EXPECT_THAT(dump, HasSubstr("\tlog.dirs = [/tmp/kafka-logs]\n"));
    EXPECT_THAT(dump, HasSubstr("\tssl.keystore.password = [hidden]\n"));
    EXPECT_THAT(dump, HasSubstr("\tssl.key.password = null\n"));
    EXPECT_THAT(dump, HasSubstr("\tzookeeper.connect = 127.0.0.1:2181\n"));
    EXPECT_THAT(dump, ::testing::Not(HasSubstr("s3cret")));
    EXPECT_LT(dump.find("advertised.listeners"), dump.find("broker.id"));
}

TEST(KafkaConfigTest, PasswordsAreNotTrimmed) {
    EXPECT_EQ(parse(with(kMinimal, {{"ssl.key.password", " pw "}})).ssl_key_password, " pw ");
}

TEST(KafkaConfigTest, ShippedServerPropertiesIsCleanAndLoopbackOnly) {
    ParsedConfig p = parse_kafka_config(
        read_properties_file(std::filesystem::path(SAMSA_SOURCE_DIR) / "config/server.properties"));
    EXPECT_THAT(p.warnings, ::testing::IsEmpty());
    EXPECT_EQ(p.config.broker_id, 0);
    const EndPoint loopback{"PLAINTEXT", "127.0.0.1", 9092, SecurityProtocol::plaintext};
    EXPECT_EQ(p.config.listeners, std::vector<EndPoint>{loopback});
    EXPECT_EQ(p.config.log_dirs, std::vector<std::string>{"/tmp/samsa-logs"});
    EXPECT_EQ(p.config.offsets_topic_replication_factor, 1);
}

// --- command line

CommandLine parse_args(std::vector<const char*> args) {
    args.insert(args.begin(), "samsa-broker");
    return parse_command_line(static_cast<int>(args.size()), args.data());
}

TEST(CommandLineTest, TakesFileAndRepeatedOverrides) {
    CommandLine cl = parse_args(
        {"server.properties", "--override", "broker.id=3", "--override", "sasl.jaas.config=a=b c"});
    EXPECT_EQ(cl.config_file, "server.properties");
    EXPECT_EQ(cl.overrides, (Properties{{"broker.id", "3"}, {"sasl.jaas.config", "a=b c"}}));
    EXPECT_EQ(parse_args({"s.properties", "--override=log.retention.bytes=-1"}).overrides,
              (Properties{{"log.retention.bytes", "-1"}}));
}

TEST(CommandLineTest, RejectsUsageErrors) {
    EXPECT_THROW(parse_args({}), ConfigError);
    EXPECT_THROW(parse_args({"a.properties", "b.properties"}), ConfigError);
    EXPECT_THROW(parse_args({"a.properties", "--override", "novalue"}), ConfigError);
    EXPECT_THROW(parse_args({"a.properties", "--override"}), ConfigError);
    EXPECT_THROW(parse_args({"a.properties", "--overide", "a=b"}), ConfigError);
    EXPECT_TRUE(parse_args({"--help"}).help);
    EXPECT_THAT(command_line_usage("samsa-broker"), HasSubstr("--override"));
}

TEST(CommandLineTest, LoadsFileWithOverridesApplied) {
    auto path = std::filesystem::temp_directory_path() / "samsa_kafka_config_test.properties";
    std::ofstream(path) << "# test\nbroker.id=1\nzookeeper.connect=127.0.0.1:2181/samsa\n"
                           "listeners=PLAINTEXT://127.0.0.1:9092,\\\n   SSL://127.0.0.1:9093\n";
    const std::string file = path.string();
    ParsedConfig p = load_kafka_config(parse_args({file.c_str(), "--override", "broker.id=9"}));
    std::filesystem::remove(path);
    EXPECT_EQ(p.config.broker_id, 9);
    EXPECT_EQ(p.config.zookeeper_connect.chroot, "/samsa");
    ASSERT_EQ(p.config.listeners.size(), 2u);
    EXPECT_EQ(p.config.listeners[1].security_protocol, SecurityProtocol::ssl);
}

}  // namespace
}  // namespace samsa::server
