#include "broker/log/checkpoint_format.h"

#include "broker/log/errc.h"
#include "broker/log/file_util.h"
#include "common/logging.h"

#include <fmt/format.h>

#include <filesystem>
#include <sstream>

namespace samsa::log {
namespace {

std::vector<std::string> split_ws(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> fields;
    for (std::string f; in >> f;) {
        fields.push_back(f);
    }
    return fields;
}

}  // namespace

std::error_code checkpoint_malformed(const std::string& path, size_t line_no,
                                     const std::string& why) {
    get_logger("log")->error("malformed checkpoint {} at line {}: {}", path, line_no, why);
    return Errc::corrupt_checkpoint;
}

result<void> write_checkpoint_lines(const std::string& path, int32_t version,
                                    const std::vector<std::string>& entries, bool sync) {
    std::string out = fmt::format("{}\n{}\n", version, entries.size());
    for (const auto& entry : entries) {
        out += entry;
        out += '\n';
    }
    return sync ? atomic_write_file(path, out) : replace_file_unsynced(path, out);
}

result<std::vector<std::vector<std::string>>> read_checkpoint_lines(const std::string& path,
                                                                    int32_t version, size_t fields,
                                                                    std::string_view entry_format) {
    std::vector<std::vector<std::string>> entries;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        return entries;
    }
    SAMSA_TRY(std::string text, read_whole_file(path));
    if (text.empty()) {
        return entries;
    }
    std::istringstream in(text);
    std::string line;
    int32_t found_version = -1;
    if (!std::getline(in, line) || !parse_checkpoint_number(line, found_version) ||
        found_version != version) {
        return checkpoint_malformed(path, 1, "unsupported version '" + line + "'");
    }
    int64_t expected = -1;
    if (!std::getline(in, line) || !parse_checkpoint_number(line, expected) || expected < 0) {
        return checkpoint_malformed(path, 2, "bad entry count '" + line + "'");
    }
    size_t line_no = 2;
    while (std::getline(in, line)) {
        ++line_no;
        auto f = split_ws(line);
        if (f.size() != fields) {
            return checkpoint_malformed(path, line_no,
                                        fmt::format("expected '{}', got '{}'", entry_format, line));
        }
        entries.push_back(std::move(f));
    }
    if (static_cast<int64_t>(entries.size()) != expected) {
        return checkpoint_malformed(
            path, line_no, fmt::format("expected {} entries, found {}", expected, entries.size()));
    }
    return entries;
}

}  // namespace samsa::log
