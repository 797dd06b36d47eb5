#include "broker/txn/producer_id_manager.h"

#include "common/logging.h"
#include "zk/kafka_zk_client.h"
#include "zk/zk_data.h"
#include "zk/zk_errc.h"

#include <limits>

namespace samsa::txn {

namespace {

auto& logger() {
    static auto l = get_logger("producer-ids");
    return *l;
}

// Bounded: a conflict means another broker claimed a block in between; it cannot go on for
// long, but a ZooKeeper that keeps changing under us is reported rather than spun on.
constexpr int kMaxClaimAttempts = 100;

}  // namespace

ProducerIdManager::ProducerIdManager(int32_t broker_id, BlockStore store)
    : broker_id_(broker_id), store_(std::move(store)) {}

ProducerIdManager::BlockStore ProducerIdManager::zookeeper_store(zk::KafkaZkClient& zk) {
    BlockStore store;
    const std::string path = zk::ProducerIdBlockZNode::path();
    store.read = [&zk, path]() -> result<StoredBlock> {
        SAMSA_TRY(auto v, zk.get_versioned_data(path));
        StoredBlock block;
        block.version = v.zk_version;
        if (v.data && !v.data->empty()) {  // created empty at startup (create_top_level_paths)
            block.data = std::move(v.data);
        }
        return block;
    };
    store.write = [&zk, path](const std::string& data, int32_t version) -> result<bool> {
        if (version == zk::VersionedData::kUnknownVersion) {
            return zk.create_if_not_exists(path, data);
        }
        return zk.conditional_set_data(path, data, version);
    };
    return store;
}

result<int64_t> ProducerIdManager::generate() {
    std::lock_guard lock(mu_);
    if (next_id_ > block_end_) {
        SAMSA_TRY(claim_next_block());
    }
    return next_id_++;
}

result<void> ProducerIdManager::claim_next_block() {
    for (int attempt = 0; attempt < kMaxClaimAttempts; ++attempt) {
        SAMSA_TRY(StoredBlock current, store_.read());
        const auto& data = current.data;
        const int32_t version = current.version;
        zk::ProducerIdBlock block{broker_id_, 0, kBlockSize - 1};
        if (data) {
            auto previous = zk::ProducerIdBlockZNode::decode(*data);
            if (!previous) {
                logger().error("cannot parse {}: {}", zk::ProducerIdBlockZNode::path(), *data);
                return previous.error();
            }
            if (previous.value().block_end > std::numeric_limits<int64_t>::max() - kBlockSize) {
                logger().error("producer ids are exhausted");
                return zk::Errc::malformed_data;
            }
            block.block_start = previous.value().block_end + 1;
            block.block_end = block.block_start + kBlockSize - 1;
        }
        SAMSA_TRY(bool written, store_.write(zk::ProducerIdBlockZNode::encode(block), version));
        if (written) {
            next_id_ = block.block_start;
            block_end_ = block.block_end;
            logger().info("claimed producer id block [{}, {}]", block.block_start, block.block_end);
            return success();
        }
    }
    logger().error("could not claim a producer id block after {} attempts", kMaxClaimAttempts);
    return zk::Errc::bad_version;
}

}  // namespace samsa::txn
