#include "broker/log/checkpoint_file.h"

#include <charconv>
#include <filesystem>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "broker/log/errc.h"
#include "broker/log/file_util.h"
#include "common/logging.h"

namespace samsa::log {
namespace {

template <typename T>
bool parse_number(std::string_view s, T& out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

std::vector<std::string> split_ws(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> fields;
    for (std::string f; in >> f;) {
        fields.push_back(f);
    }
    return fields;
}

std::error_code malformed(const std::string& path, size_t line_no, const std::string& why) {
    get_logger("log")->error("malformed checkpoint {} at line {}: {}", path, line_no, why);
    return Errc::corrupt_checkpoint;
}

}  // namespace

result<void> CheckpointFile::write(const OffsetMap& offsets) const {
    std::string out = fmt::format("0\n{}\n", offsets.size());
    for (const auto& [tp, offset] : offsets) {
        out += fmt::format("{} {} {}\n", tp.topic, tp.partition, offset);
    }
    return atomic_write_file(path_, out);
}

result<OffsetMap> CheckpointFile::read() const {
    std::error_code ec;
    if (!std::filesystem::exists(path_, ec)) {
        return OffsetMap{};
    }
    SAMSA_TRY(std::string text, read_whole_file(path_));
    std::istringstream in(text);
    std::string line;
    int32_t version = -1;
    if (!std::getline(in, line) || !parse_number(line, version) || version != 0) {
        return malformed(path_, 1, "unsupported version '" + line + "'");
    }
    int64_t expected = -1;
    if (!std::getline(in, line) || !parse_number(line, expected) || expected < 0) {
        return malformed(path_, 2, "bad entry count '" + line + "'");
    }
    OffsetMap offsets;
    size_t line_no = 2;
    while (std::getline(in, line)) {
        ++line_no;
        auto f = split_ws(line);
        TopicPartition tp;
        int64_t offset = 0;
        if (f.size() != 3 || !parse_number(f[1], tp.partition) || !parse_number(f[2], offset)) {
            return malformed(path_, line_no, "expected 'topic partition offset', got '" + line + "'");
        }
        tp.topic = f[0];
        offsets[tp] = offset;
    }
    if (static_cast<int64_t>(line_no - 2) != expected) {
        return malformed(path_, line_no,
                         fmt::format("expected {} entries, found {}", expected, line_no - 2));
    }
    return offsets;
}

}  // namespace samsa::log
