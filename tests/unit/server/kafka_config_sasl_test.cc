// SASL settings resolved from the listeners (kafka_config_sasl.cc).

#include "broker/server/kafka_config.h"

#include <gtest/gtest.h>

namespace samsa::server {
namespace {

const Properties kTwoListeners{
    {"zookeeper.connect", "127.0.0.1:2181"},
    {"listeners", "PLAINTEXT://127.0.0.1:9092,INTERNAL://127.0.0.1:9093"},
    {"listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,INTERNAL:SASL_PLAINTEXT"},
    {"sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256"}};

Properties with(Properties props, std::initializer_list<std::pair<std::string, std::string>> more) {
    for (const auto& kv : more)
        props.push_back(kv);
    return props;
}

TEST(KafkaConfigSaslTest, ListenerMechanismsComeFromTheListenerKeyOrTheGlobalOne) {
    KafkaConfig c = parse_kafka_config(kTwoListeners).config;
    EXPECT_EQ(c.sasl_listener_mechanisms.at("INTERNAL"),
              (std::vector<std::string>{"PLAIN", "SCRAM-SHA-256"}));
    EXPECT_FALSE(c.sasl_listener_mechanisms.contains("PLAINTEXT"));
    EXPECT_EQ(c.connection_failed_authentication_delay_ms, 100);
    c = parse_kafka_config(with(kTwoListeners, {{"listener.name.internal.sasl.enabled.mechanisms",
                                                 "SCRAM-SHA-512"}}))
            .config;
    EXPECT_EQ(c.sasl_listener_mechanisms.at("INTERNAL"),
              (std::vector<std::string>{"SCRAM-SHA-512"}));
}

TEST(KafkaConfigSaslTest, InterBrokerCredentialComesFromTheListenersJaasConfig) {
    KafkaConfig c = parse_kafka_config(
                        with(kTwoListeners,
                             {{"inter.broker.listener.name", "INTERNAL"},
                              {"sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-256"},
                              {"listener.name.internal.scram-sha-256.sasl.jaas.config",
                               "org.apache.kafka.common.security.scram.ScramLoginModule required "
                               "username=\"admin\" password=\"admin-secret\";"}}))
                        .config;
    EXPECT_EQ(c.inter_broker_sasl_username, "admin");
    EXPECT_EQ(c.inter_broker_sasl_password, "admin-secret");
    EXPECT_EQ(c.to_string().find("admin-secret"), std::string::npos);
}

TEST(KafkaConfigSaslTest, InterBrokerSaslWithoutCredentialOrMechanismIsRejected) {
    const Properties inter =
        with(kTwoListeners, {{"inter.broker.listener.name", "INTERNAL"},
                             {"sasl.mechanism.inter.broker.protocol", "PLAIN"}});
    EXPECT_THROW(parse_kafka_config(inter), ConfigError);
    EXPECT_THROW(parse_kafka_config(
                     with(inter, {{"sasl.mechanism.inter.broker.protocol", "SCRAM-SHA-512"}})),
                 ConfigError);
    EXPECT_THROW(parse_kafka_config(with(inter, {{"listener.name.internal.plain.sasl.jaas.config",
                                                  "Module required username=\"a\";"}})),
                 ConfigError);
    EXPECT_NO_THROW(
        parse_kafka_config(with(inter, {{"listener.name.internal.plain.sasl.jaas.config",
                                         "Module required username=\"a\" password=\"b\";"}})));
}

}  // namespace
}  // namespace samsa::server
