#include "auth/jaas_config.h"

#include <cctype>

namespace samsa::auth {

namespace {

class JaasParser {
  public:
    explicit JaasParser(std::string_view text) : text_(text) {}

    std::optional<JaasConfig> parse(std::string* error) {
        JaasConfig out;
        out.login_module = word();
        out.control_flag = word();
        if (out.login_module.empty() || out.control_flag.empty()) {
            return fail(error, "expected '<LoginModule> <flag> key=\"value\" ... ;'");
        }
        for (;;) {
            skip_space();
            if (at_end()) {
                return fail(error, "missing ';' at the end");
            }
            if (text_[pos_] == ';') {
                ++pos_;
                skip_space();
                if (!at_end()) {
                    return fail(error, "only one login module is supported");
                }
                return out;
            }
            std::string key = word('=');
            skip_space();
            if (key.empty() || at_end() || text_[pos_] != '=') {
                return fail(error, "expected key=\"value\"");
            }
            ++pos_;
            skip_space();
            auto value = at_end() || text_[pos_] != '"' ? std::optional(word(';')) : quoted();
            if (!value) {
                return fail(error, "unterminated quoted value of " + key);
            }
            out.options[key] = *value;
        }
    }

  private:
    bool at_end() const { return pos_ >= text_.size(); }
    void skip_space() {
        while (!at_end() && std::isspace(static_cast<unsigned char>(text_[pos_]))) {
            ++pos_;
        }
    }
    std::string word(char stop = ';') {
        skip_space();
        const size_t start = pos_;
        while (!at_end() && !std::isspace(static_cast<unsigned char>(text_[pos_])) &&
               text_[pos_] != stop && text_[pos_] != ';') {
            ++pos_;
        }
        return std::string(text_.substr(start, pos_ - start));
    }
    std::optional<std::string> quoted() {
        ++pos_;  // opening quote
        std::string out;
        while (!at_end()) {
            const char c = text_[pos_++];
            if (c == '"') {
                return out;
            }
            if (c == '\\' && !at_end()) {
                out += text_[pos_++];
            } else {
                out += c;
            }
        }
        return std::nullopt;
    }
    static std::optional<JaasConfig> fail(std::string* error, std::string message) {
        if (error != nullptr) {
            *error = std::move(message);
        }
        return std::nullopt;
    }

    std::string_view text_;
    size_t pos_ = 0;
};

}  // namespace

std::optional<JaasConfig> parse_jaas_config(std::string_view text, std::string* error) {
    return JaasParser(text).parse(error);
}

}  // namespace samsa::auth
