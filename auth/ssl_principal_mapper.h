#pragma once
// SslPrincipalMapper: turns a client certificate's subject into the principal's name with
// Kafka's ssl.principal.mapping.rules (KIP-371):
//
//   RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,RULE:^CN=(.*?),OU=(.*?)$/$1@$2/L,DEFAULT
//
// Rules are tried in order; a RULE applies when its pattern matches the whole subject, which is
// then rewritten with the replacement ($1... are groups) and optionally lower- (L) or
// upper-cased (U). DEFAULT takes the subject unchanged. When no rule applies the client is
// refused, as Kafka refuses it. The subject is in RFC 2253 form, most specific part first, as
// Java prints it: "CN=alice,OU=eng,O=Samsa".

#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

namespace samsa::auth {

class SslPrincipalMapper {
  public:
    // Throws std::invalid_argument naming the part of `rules` it cannot parse.
    explicit SslPrincipalMapper(const std::string& rules);

    // The principal name for `subject`, or nothing when no rule applies.
    std::optional<std::string> name(const std::string& subject) const;

  private:
    struct Rule {
        bool is_default = false;
        std::regex pattern;
        std::string replacement;
        char case_flag = 0;  // 'L', 'U' or 0
    };
    std::vector<Rule> rules_;
};

}  // namespace samsa::auth
