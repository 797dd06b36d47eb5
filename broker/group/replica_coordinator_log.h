#pragma once
// ReplicaCoordinatorLog: CoordinatorLog over the broker's ReplicaManager. Appends and reads run
// on the I/O pool (they may block on the disk); waiting for the high watermark is a Waiter on
// the partition, as for an acks=all Produce. Asio stays in the .cc.

#include "broker/group/coordinator_log.h"

#include <boost/asio/any_io_executor.hpp>

namespace samsa::replica {
class ReplicaManager;
}

namespace samsa::group {

class ReplicaCoordinatorLog final : public CoordinatorLog {
  public:
    ReplicaCoordinatorLog(replica::ReplicaManager& replicas, boost::asio::any_io_executor io_pool);

    void append(int32_t partition, Bytes batch, int16_t acks, int32_t timeout_ms,
                Done done) override;
    void read(int32_t partition, int32_t max_bytes,
              std::function<void(std::span<const uint8_t>)> on_chunk, Done done) override;

  private:
    replica::ReplicaManager& replicas_;
    boost::asio::any_io_executor io_pool_;
};

}  // namespace samsa::group
