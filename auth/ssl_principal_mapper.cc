#include "auth/ssl_principal_mapper.h"

#include <algorithm>
#include <cctype>

namespace samsa::auth {

namespace {

// Reads up to the next '/' not escaped with a backslash; `at` ends after that '/'.
std::string read_until_slash(const std::string& s, size_t& at, const std::string& rules) {
    std::string out;
    while (at < s.size() && s[at] != '/') {
        if (s[at] == '\\' && at + 1 < s.size()) {
            out += s[at];
            ++at;
        }
        out += s[at];
        ++at;
    }
    if (at >= s.size()) {
        throw std::invalid_argument("ssl.principal.mapping.rules: unterminated rule in '" + rules +
                                    "'");
    }
    ++at;
    return out;
}

}  // namespace

SslPrincipalMapper::SslPrincipalMapper(const std::string& rules) {
    size_t at = 0;
    auto skip_space = [&] {
        while (at < rules.size() && std::isspace(static_cast<unsigned char>(rules[at])))
            ++at;
    };
    skip_space();
    while (at < rules.size()) {
        Rule rule;
        if (rules.compare(at, 7, "DEFAULT") == 0) {
            rule.is_default = true;
            at += 7;
        } else if (rules.compare(at, 5, "RULE:") == 0) {
            at += 5;
            std::string pattern = read_until_slash(rules, at, rules);
            rule.replacement = read_until_slash(rules, at, rules);
            if (at < rules.size() && (rules[at] == 'L' || rules[at] == 'U')) {
                rule.case_flag = rules[at++];
            }
            try {
                rule.pattern = std::regex(pattern);
            } catch (const std::regex_error& e) {
                throw std::invalid_argument("ssl.principal.mapping.rules: bad pattern '" + pattern +
                                            "': " + e.what());
            }
        } else {
            throw std::invalid_argument("ssl.principal.mapping.rules: cannot parse '" +
                                        rules.substr(at) + "'");
        }
        rules_.push_back(std::move(rule));
        skip_space();
        if (at < rules.size()) {
            if (rules[at] != ',') {
                throw std::invalid_argument("ssl.principal.mapping.rules: expected ',' at '" +
                                            rules.substr(at) + "'");
            }
            ++at;
            skip_space();
        }
    }
    if (rules_.empty()) {
        throw std::invalid_argument("ssl.principal.mapping.rules is empty");
    }
}

std::optional<std::string> SslPrincipalMapper::name(const std::string& subject) const {
    for (const auto& rule : rules_) {
        if (rule.is_default) {
            return subject;
        }
        if (!std::regex_match(subject, rule.pattern)) {
            continue;
        }
        std::string out = std::regex_replace(subject, rule.pattern, rule.replacement);
        if (rule.case_flag == 'L') {
            std::transform(out.begin(), out.end(), out.begin(),
                           [](unsigned char ch) { return std::tolower(ch); });
        } else if (rule.case_flag == 'U') {
            std::transform(out.begin(), out.end(), out.begin(),
                           [](unsigned char ch) { return std::toupper(ch); });
        }
        return out;
    }
    return std::nullopt;
}

}  // namespace samsa::auth
