#include "broker/log/checkpoint_file.h"

#include <fmt/format.h>

#include <vector>

namespace samsa::log {

result<void> CheckpointFile::write(const OffsetMap& offsets) const {
    std::vector<std::string> entries;
    entries.reserve(offsets.size());
    for (const auto& [tp, offset] : offsets) {
        entries.push_back(fmt::format("{} {} {}", tp.topic, tp.partition, offset));
    }
    return write_checkpoint_lines(path_, 0, entries);
}

result<OffsetMap> CheckpointFile::read() const {
    constexpr std::string_view kFormat = "topic partition offset";
    SAMSA_TRY(auto entries, read_checkpoint_lines(path_, 0, 3, kFormat));
    OffsetMap offsets;
    for (size_t i = 0; i < entries.size(); ++i) {
        const auto& f = entries[i];
        TopicPartition tp{f[0], 0};
        int64_t offset = 0;
        if (!parse_checkpoint_number(f[1], tp.partition) ||
            !parse_checkpoint_number(f[2], offset)) {
            return checkpoint_malformed(
                path_, i + 3,
                fmt::format("expected '{}', got '{} {} {}'", kFormat, f[0], f[1], f[2]));
        }
        offsets[tp] = offset;
    }
    return offsets;
}

}  // namespace samsa::log
