#include "broker/server/properties_file.h"

#include "broker/server/kafka_config.h"

#include <fstream>
#include <optional>
#include <sstream>

namespace samsa::server {
namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\f';
}

std::string_view skip_blanks(std::string_view s) {
    while (!s.empty() && is_blank(s.front()))
        s.remove_prefix(1);
    return s;
}

// A logical line with the number of the natural line it started on (for error messages).
struct LogicalLine {
    std::string text;
    int line_number = 0;
};

// Cuts `text` into natural lines, then joins continued ones and drops comments and blanks.
std::vector<LogicalLine> logical_lines(std::string_view text) {
    std::vector<LogicalLine> out;
    std::optional<LogicalLine> pending;  // a logical line waiting for its continuation
    int number = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find_first_of("\r\n", pos);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view natural = skip_blanks(text.substr(pos, end - pos));
        pos = end;
        if (pos < text.size()) {
            const bool crlf = text[pos] == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n';
            pos += crlf ? 2 : 1;
        }
        ++number;

        if (!pending) {
            if (natural.empty() || natural.front() == '#' || natural.front() == '!')
                continue;
            pending = LogicalLine{"", number};
        }
        size_t backslashes = 0;
        while (backslashes < natural.size() && natural[natural.size() - 1 - backslashes] == '\\') {
            ++backslashes;
        }
        const bool continues = backslashes % 2 == 1;
        if (continues)
            natural.remove_suffix(1);
        pending->text.append(natural);
        if (!continues) {
            out.push_back(std::move(*pending));
            pending.reset();
        }
    }
    if (pending)
        out.push_back(std::move(*pending));
    return out;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::optional<char32_t> hex4(std::string_view s) {
    if (s.size() < 4)
        return std::nullopt;
    char32_t v = 0;
    for (char c : s.substr(0, 4)) {
        v <<= 4;
        if (c >= '0' && c <= '9') {
            v |= static_cast<char32_t>(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            v |= static_cast<char32_t>(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            v |= static_cast<char32_t>(c - 'A' + 10);
        } else {
            return std::nullopt;
        }
    }
    return v;
}

std::string unescape(std::string_view s, int line_number) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\\' || i + 1 == s.size()) {
            out += s[i];
            continue;
        }
        const char c = s[++i];
        switch (c) {
            case 't':
                out += '\t';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 'f':
                out += '\f';
                break;
            case 'u': {
                auto unit = hex4(s.substr(i + 1));
                if (!unit) {
                    throw ConfigError("line " + std::to_string(line_number) +
                                      ": malformed \\uxxxx escape");
                }
                i += 4;
                char32_t cp = *unit;
                // A UTF-16 surrogate pair written as two escapes is one code point.
                if (cp >= 0xD800 && cp < 0xDC00 && s.substr(i + 1, 2) == "\\u") {
                    auto low = hex4(s.substr(i + 3));
                    if (low && *low >= 0xDC00 && *low < 0xE000) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (*low - 0xDC00);
                        i += 6;
                    }
                }
                append_utf8(out, cp);
                break;
            }
            default:
                out += c;
                break;
        }
    }
    return out;
}

}  // namespace

Properties parse_properties(std::string_view text) {
    Properties out;
    for (const LogicalLine& line : logical_lines(text)) {
        std::string_view s = line.text;
        size_t key_end = s.size();
        bool escaped = false;
        for (size_t i = 0; i < s.size(); ++i) {
            const char c = s[i];
            if (!escaped && (c == '=' || c == ':' || is_blank(c))) {
                key_end = i;
                break;
            }
            escaped = c == '\\' && !escaped;
        }
        std::string_view rest = skip_blanks(s.substr(key_end));
        if (!rest.empty() && (rest.front() == '=' || rest.front() == ':')) {
            rest = skip_blanks(rest.substr(1));
        }
        out.emplace_back(unescape(s.substr(0, key_end), line.line_number),
                         unescape(rest, line.line_number));
    }
    return out;
}

Properties read_properties_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ConfigError("cannot read configuration file '" + path.string() + "'");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        throw ConfigError("error reading configuration file '" + path.string() + "'");
    return parse_properties(text.str());
}

}  // namespace samsa::server
