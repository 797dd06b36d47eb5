#include "broker/log/partition_metadata_file.h"

#include "broker/log/errc.h"
#include "broker/log/file_util.h"
#include "common/logging.h"

#include <fmt/format.h>

#include <filesystem>

namespace samsa::log {
namespace {

constexpr size_t kTopicIdLength = 22;  // ceil(128 / 6) base64 characters, no padding
constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::error_code malformed(const std::string& path, const std::string& why) {
    get_logger("log")->error("malformed {}: {}", path, why);
    return Errc::corrupt_checkpoint;
}

// "key: value" (Kafka splits on ":\s+"); nullopt unless the key is `key`.
std::optional<std::string_view> value_of(std::string_view line, std::string_view key) {
    if (!line.starts_with(key) || line.substr(key.size(), 1) != ":") {
        return std::nullopt;
    }
    std::string_view rest = line.substr(key.size() + 1);
    size_t value_at = rest.find_first_not_of(" \t\r");
    if (value_at == 0 || value_at == std::string_view::npos) {
        return std::nullopt;
    }
    return rest.substr(value_at);
}

}  // namespace

bool is_valid_topic_id(std::string_view text) {
    if (text.size() != kTopicIdLength || text == std::string(kTopicIdLength, 'A')) {
        return false;
    }
    for (char c : text) {
        if (kBase64Url.find(c) == std::string_view::npos) {
            return false;
        }
    }
    // 22 characters hold 132 bits: the last character's low 4 bits must be zero.
    return kBase64Url.find(text.back()) % 16 == 0;
}

result<void> PartitionMetadataFile::write(std::string_view topic_id) const {
    if (!is_valid_topic_id(topic_id)) {
        get_logger("log")->error("refusing to write invalid topic id '{}' to {}", topic_id, path_);
        return std::make_error_code(std::errc::invalid_argument);
    }
    // Not fsynced (Kafka 3.0 stopped flushing it on the LeaderAndIsr path too, KAFKA-13092):
    // two fsyncs per partition made creating or moving thousands of partitions disk-bound,
    // and a file lost in a crash reads as "no topic id", which the next LeaderAndIsr writes.
    return replace_file_unsynced(path_, fmt::format("version: 0\ntopic_id: {}", topic_id));
}

result<std::optional<std::string>> PartitionMetadataFile::read() const {
    std::error_code ec;
    if (!std::filesystem::exists(path_, ec)) {
        return std::optional<std::string>();
    }
    SAMSA_TRY(std::string text, read_whole_file(path_));
    if (text.empty()) {
        return std::optional<std::string>();
    }
    std::string_view rest = text;
    size_t newline = rest.find('\n');
    if (newline == std::string_view::npos) {
        return malformed(path_, "no topic_id line");
    }
    std::string_view version_line = rest.substr(0, newline);
    std::string_view id_line = rest.substr(newline + 1);
    if (id_line.ends_with('\n')) {
        id_line.remove_suffix(1);
    }
    auto version = value_of(version_line, "version");
    if (!version) {
        return malformed(path_, fmt::format("expected 'version: 0', got '{}'", version_line));
    }
    if (*version != "0") {
        return malformed(path_, fmt::format("unsupported version '{}'", *version));
    }
    auto id = value_of(id_line, "topic_id");
    if (!id || !is_valid_topic_id(*id)) {
        return malformed(path_,
                         fmt::format("expected 'topic_id: <22-character id>', got '{}'", id_line));
    }
    return std::optional<std::string>(std::string(*id));
}

}  // namespace samsa::log
