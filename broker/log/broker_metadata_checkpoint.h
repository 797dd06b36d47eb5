#pragma once
// BrokerMetadataCheckpoint: <log.dir>/meta.properties, which ties a log dir to one broker and
// one cluster (Kafka's BrokerMetadataCheckpoint). Java properties, version 0:
//   #
//   #Tue Mar 04 10:00:00 UTC 2025
//   version=0
//   broker.id=1
//   cluster.id=4L6g3nShT-eMCtK--X86sw
// `#`/`!` lines are comments; keys and values are trimmed. Written with the
// temp/fsync/rename dance. The server checks cluster.id against ZooKeeper's /cluster/id.

#include "common/result.h"

#include <boost/outcome/try.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace samsa::log {

inline const std::string kMetaPropertiesFile = "meta.properties";

struct BrokerMetadata {
    int32_t broker_id = -1;
    std::optional<std::string> cluster_id;

    friend bool operator==(const BrokerMetadata&, const BrokerMetadata&) = default;
};

class BrokerMetadataCheckpoint {
  public:
    explicit BrokerMetadataCheckpoint(std::string path) : path_(std::move(path)) {}

    result<void> write(const BrokerMetadata& metadata) const;
    // nullopt when the file does not exist; Errc::corrupt_checkpoint when it is malformed
    // (version != 0 or a missing/non-numeric broker.id).
    result<std::optional<BrokerMetadata>> read() const;

  private:
    std::string path_;
};

}  // namespace samsa::log
