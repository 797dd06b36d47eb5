#pragma once
// MemoryCoordinatorLog: __consumer_offsets in memory, for the coordinator's tests. Appends are
// kept per partition and acknowledged through the FakeScheduler (never inline, as the real
// log); `fail_appends_with` makes them fail instead.

#include "broker/group/coordinator_log.h"
#include "tests/unit/group/fake_scheduler.h"

#include <map>
#include <vector>

namespace samsa::group::testing {

class MemoryCoordinatorLog final : public CoordinatorLog {
  public:
    explicit MemoryCoordinatorLog(FakeScheduler& scheduler) : scheduler_(scheduler) {}

    void append(int32_t partition, Bytes batch, int16_t /*acks*/, int32_t /*timeout_ms*/,
                Done done) override {
        if (fail_appends_with != ErrorCode::none) {
            scheduler_.schedule(0, [done, e = fail_appends_with] { done(e); });
            return;
        }
        batches[partition].push_back(std::move(batch));
        scheduler_.schedule(0, [done] { done(ErrorCode::none); });
    }

    void read(int32_t partition, int32_t /*max_bytes*/,
              std::function<void(std::span<const uint8_t>)> on_chunk, Done done) override {
        scheduler_.schedule(0, [this, partition, on_chunk, done] {
            for (const auto& b : batches[partition]) {
                on_chunk(b);
            }
            done(ErrorCode::none);
        });
    }

    std::map<int32_t, std::vector<Bytes>> batches;
    ErrorCode fail_appends_with = ErrorCode::none;

  private:
    FakeScheduler& scheduler_;
};

}  // namespace samsa::group::testing
