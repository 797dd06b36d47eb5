#pragma once
// CoordinatorLog: what the group coordinator needs from __consumer_offsets — append a batch as
// the partition's leader and wait for it to be replicated, and read a partition back when it
// is loaded. An interface so the coordinator's logic is tested without a ReplicaManager
// (tests/unit/group use an in-memory log); the broker's implementation is
// ReplicaCoordinatorLog.

#include "broker/group/types.h"

#include <cstdint>
#include <functional>
#include <span>

namespace samsa::group {

class CoordinatorLog {
  public:
    using Done = std::function<void(ErrorCode)>;

    virtual ~CoordinatorLog() = default;

    // Appends `batch` (one uncompressed v2 batch) to `partition` with `acks`; with acks -1
    // `done` runs once the high watermark passed it, or with REQUEST_TIMED_OUT after
    // `timeout_ms`. Errors are Produce's (NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS, ...).
    // `done` runs exactly once, never inline: the caller may hold a group's lock.
    virtual void append(int32_t partition, Bytes batch, int16_t acks, int32_t timeout_ms,
                        Done done) = 0;

    // Reads `partition` from its log start to its log end, `max_bytes` at a time, handing
    // every chunk of whole batches to `on_chunk`, then calls `done`; all on another thread.
    virtual void read(int32_t partition, int32_t max_bytes,
                      std::function<void(std::span<const uint8_t>)> on_chunk, Done done) = 0;
};

}  // namespace samsa::group
