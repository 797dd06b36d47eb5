#pragma once
// ProducerIdManager: hands out producer ids for InitProducerId (Kafka's ZooKeeper-mode
// coordinator/transaction/ProducerIdManager). Ids come in blocks of kBlockSize claimed from
// /latest_producer_id_block with a conditional write, so that no two brokers ever hand out
// the same id and a restarted broker never repeats one: it claims a fresh block (the unused
// rest of its previous one is simply skipped, as in Kafka).
//
// Thread-safe. generate() may block on ZooKeeper when a block runs out: call it from the
// I/O pool.

#include "common/result.h"

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace samsa::zk {
class KafkaZkClient;
}

namespace samsa::txn {

class ProducerIdManager {
  public:
    static constexpr int64_t kBlockSize = 1000;

    // The versioned read and conditional write of the block znode (seams for tests).
    struct StoredBlock {
        std::optional<std::string> data;  // nullopt if the node is absent or empty
        int32_t version = -2;             // zkVersion; -2 without a node
    };
    struct BlockStore {
        std::function<result<StoredBlock>()> read;
        // Writes `data` if the node is still at `version`; false when someone else won.
        std::function<result<bool>(const std::string& data, int32_t version)> write;
    };

    ProducerIdManager(int32_t broker_id, BlockStore store);
    // Over ZooKeeper: /latest_producer_id_block.
    static BlockStore zookeeper_store(zk::KafkaZkClient& zk);

    // The next producer id. Errors: ZooKeeper errors, or Errc-less failure when the id space
    // is exhausted (never in practice: 2^63 ids).
    result<int64_t> generate();

  private:
    result<void> claim_next_block();

    const int32_t broker_id_;
    BlockStore store_;
    std::mutex mu_;
    int64_t next_id_ = 0;     // guarded by mu_
    int64_t block_end_ = -1;  // guarded by mu_; inclusive; next_id_ > block_end_ = none left
};

}  // namespace samsa::txn
