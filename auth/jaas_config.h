#pragma once
// The part of a JAAS login configuration Kafka clients and brokers put in sasl.jaas.config:
//
//   org.apache.kafka.common.security.scram.ScramLoginModule required
//       username="admin" password="admin-secret";
//
// One login module (ScramLoginModule or PlainLoginModule), a control flag, then key="value"
// options (values may be unquoted words), ending with ';'. Only the module and the options are
// kept. Quoted values may contain '\"' and '\\'.

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace samsa::auth {

struct JaasConfig {
    std::string login_module;
    std::string control_flag;
    std::map<std::string, std::string> options;

    const std::string* option(const std::string& key) const {
        auto it = options.find(key);
        return it == options.end() ? nullptr : &it->second;
    }
};

// nullopt with `error` set when the text is not one well-formed module entry.
std::optional<JaasConfig> parse_jaas_config(std::string_view text, std::string* error = nullptr);

}  // namespace samsa::auth
