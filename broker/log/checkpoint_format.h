#pragma once
// The text frame shared by the checkpoint files (Kafka's CheckpointFile): line 1 the version,
// line 2 the number of entries, then one entry per line, its fields separated by spaces:
//   0
//   2
//   orders 0 1834
//   orders 1 17
// Used by checkpoint_file.h (topic partition offset) and leader_epoch_file_cache.h (epoch
// startOffset). Writes go to <file>.tmp, are fsynced and renamed over the file.
//
// Stateless; thread-safe for distinct files.

#include "common/result.h"

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace samsa::log {

// Kafka's checkpoint frame: line 1 `version`, line 2 the number of entries, then `entries`,
// one per line (each given without its newline). Written atomically (atomic_write_file), or
// without fsyncs when `sync` is false (replace_file_unsynced: the caller syncs later).
result<void> write_checkpoint_lines(const std::string& path, int32_t version,
                                    const std::vector<std::string>& entries, bool sync = true);
// The entry lines of a checkpoint, each split on whitespace into exactly `fields` fields. A
// missing or zero-byte file (Kafka creates them empty) has none. Errc::corrupt_checkpoint,
// logged with the line, for another version, a bad count, or a line with the wrong number of
// fields; `entry_format` (e.g. "topic partition offset") goes into that message.
result<std::vector<std::vector<std::string>>> read_checkpoint_lines(const std::string& path,
                                                                    int32_t version, size_t fields,
                                                                    std::string_view entry_format);
// Logs why line `line_no` of checkpoint `path` is malformed; returns Errc::corrupt_checkpoint.
// For callers that find an entry's fields unparsable (entry i is on line i + 3).
std::error_code checkpoint_malformed(const std::string& path, size_t line_no,
                                     const std::string& why);

// Parses a whole field as a decimal integer; false for anything else (empty, trailing junk,
// out of range).
template <typename T>
bool parse_checkpoint_number(std::string_view s, T& out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

}  // namespace samsa::log
