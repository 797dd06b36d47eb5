#pragma once
// PartitionMetadataFile: <partition dir>/partition.metadata, the id of the topic the
// partition belongs to (KIP-516; Kafka 2.8's PartitionMetadataFile). A broker that gets a
// LeaderAndIsr with another id for this partition answers INCONSISTENT_TOPIC_ID: the log on
// disk belongs to a deleted topic of the same name.
//
// File format, text, byte for byte what Kafka 2.8 writes (no newline after the id):
//   version: 0
//   topic_id: vGnGEbmNQ5SrHOqj7yc8Ng
// The id is the 16 bytes in base64url without padding (zk::Uuid::to_string()); reading also
// accepts a trailing newline, and any whitespace after the colons, as Kafka's ":\s+" split does.
// write() goes to <file>.tmp, fsyncs it and renames it over the file (then fsyncs the dir).
//
// Thread-safe for distinct files; callers serialize writes to one file (the Log's lock).

#include "common/result.h"

#include <optional>
#include <string>
#include <string_view>

namespace samsa::log {

inline const std::string kPartitionMetadataFile = "partition.metadata";

// Whether `text` is a topic id in its canonical text form: 22 base64url characters whose
// last one carries no stray bits, and not the zero id ("AAAAAAAAAAAAAAAAAAAAAA", Kafka's
// "no id").
bool is_valid_topic_id(std::string_view text);

class PartitionMetadataFile {
  public:
    explicit PartitionMetadataFile(std::string path) : path_(std::move(path)) {}

    const std::string& path() const { return path_; }

    // std::errc::invalid_argument if `topic_id` is not valid (is_valid_topic_id).
    result<void> write(std::string_view topic_id) const;
    // The topic id; nullopt if the file is missing or empty (Kafka 2.8 creates it empty).
    // Errc::corrupt_checkpoint, logged, for another version or a malformed line or id.
    result<std::optional<std::string>> read() const;

  private:
    std::string path_;
};

}  // namespace samsa::log
