// SASL settings that depend on the listeners: which mechanisms each SASL listener enables, and
// the credential the broker itself presents on a SASL inter-broker listener. Kafka's names:
//
//   sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN
//   listener.name.internal.sasl.enabled.mechanisms=SCRAM-SHA-512
//   sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
//   listener.name.internal.scram-sha-512.sasl.jaas.config=
//       org.apache.kafka.common.security.scram.ScramLoginModule required
//       username="admin" password="admin-secret";      (one line in the file)
//
// Per-listener keys use the listener name in lower case (Kafka's ListenerName.configPrefix).

#include "auth/jaas_config.h"
#include "broker/server/kafka_config_keys.h"
#include "broker/server/kafka_config_resolve.h"

#include <algorithm>
#include <cctype>

namespace samsa::server::detail {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return s;
}

std::string listener_prefix(const std::string& listener) {
    return "listener.name." + lower(listener) + ".";
}

// The per-listener value of `key` if set, else nullptr.
const std::string* listener_value(const KafkaConfig& c, const std::string& listener,
                                  const std::string& key) {
    auto it = c.listener_name_configs.find(listener_prefix(listener) + key);
    return it == c.listener_name_configs.end() ? nullptr : &it->second;
}

std::vector<std::string> enabled_mechanisms(const KafkaConfig& c, const std::string& listener) {
    const std::string key = "sasl.enabled.mechanisms";
    const std::string* own = listener_value(c, listener, key);
    std::vector<std::string> mechanisms = own ? split_list(*own) : c.sasl_enabled_mechanisms;
    const std::string source = own ? listener_prefix(listener) + key : key;
    if (mechanisms.empty()) {
        throw ConfigError(source, own ? *own : "",
                          "listener " + listener + " uses SASL but enables no mechanism");
    }
    return mechanisms;
}

void resolve_inter_broker_credential(KafkaConfig& c) {
    const std::string& listener = c.inter_broker_listener_name;
    const std::string& mechanism = c.sasl_mechanism_inter_broker_protocol;
    const auto& enabled = c.sasl_listener_mechanisms[listener];
    if (std::find(enabled.begin(), enabled.end(), mechanism) == enabled.end()) {
        throw ConfigError("sasl.mechanism.inter.broker.protocol", mechanism,
                          "the inter-broker listener " + listener + " does not enable it");
    }
    const std::string key = lower(mechanism) + ".sasl.jaas.config";
    const std::string* jaas = listener_value(c, listener, key);
    const std::string source = jaas ? listener_prefix(listener) + key : "sasl.jaas.config";
    if (jaas == nullptr && !c.sasl_jaas_config.empty()) {
        jaas = &c.sasl_jaas_config;
    }
    if (jaas == nullptr) {
        throw ConfigError("Missing " + listener_prefix(listener) + key +
                              ": the broker needs a username and password for inter-broker SASL",
                          listener_prefix(listener) + key);
    }
    std::string error;
    auto parsed = auth::parse_jaas_config(*jaas, &error);
    if (!parsed) {
        throw ConfigError(source, "[hidden]", "not a JAAS login module entry: " + error);
    }
    const std::string* user = parsed->option("username");
    const std::string* password = parsed->option("password");
    if (user == nullptr || password == nullptr) {
        throw ConfigError(source, "[hidden]", "the login module needs username and password");
    }
    c.inter_broker_sasl_username = *user;
    c.inter_broker_sasl_password = *password;
}

}  // namespace

void resolve_sasl(KafkaConfig& c, const Supplied&) {
    for (const auto& l : c.listeners) {
        if (auth::uses_sasl(l.security_protocol)) {
            c.sasl_listener_mechanisms[l.listener_name] = enabled_mechanisms(c, l.listener_name);
        }
    }
    if (auth::uses_sasl(c.security_inter_broker_protocol)) {
        resolve_inter_broker_credential(c);
    }
}

}  // namespace samsa::server::detail
