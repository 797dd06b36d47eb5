#pragma once
// Reader for Java `.properties` files (server.properties), following java.util.Properties.load:
//
//   - a logical line is one or more natural lines (ended by \n, \r or \r\n); a natural line ending
//     in an odd number of backslashes continues on the next one, whose leading white space is
//     dropped;
//   - blank lines and lines whose first non-blank character is '#' or '!' are skipped (a comment
//     line never continues);
//   - the key runs from the first non-blank character to the first unescaped '=', ':' or blank;
//     blanks, then at most one '=' or ':', then blanks separate it from the value, so `k=v`,
//     `k: v`, `k v` and `k = a=b` (value "a=b") all work; trailing blanks stay in the value;
//   - escapes: \t \n \r \f, \uXXXX (written out as UTF-8), and '\' before any other character
//     stands for that character (`\=`, `\:`, `\#`, `\\`).
//
// Blanks are space, tab and form feed. Bytes other than these pass through unchanged, so UTF-8
// files read as UTF-8 (Java would read ISO-8859-1; that difference only matters for non-ASCII).

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace samsa::server {

// Key/value pairs in file order; a key may appear more than once (the last one wins when the
// configuration is built).
using Properties = std::vector<std::pair<std::string, std::string>>;

// Throws ConfigError (kafka_config.h) on a malformed \uXXXX escape, naming the line.
Properties parse_properties(std::string_view text);

// Reads and parses a file; throws ConfigError when it cannot be read.
Properties read_properties_file(const std::filesystem::path& path);

}  // namespace samsa::server
