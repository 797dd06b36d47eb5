#pragma once
// A Partition of broker kLocal over a real Log in a temporary directory, for the Partition
// tests; each test file adds the roles it needs.

#include "broker/log/log.h"
#include "broker/replica/partition.h"
#include "tests/unit/log/test_util.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace samsa::replica::test {

class PartitionFixture : public ::testing::Test {
  protected:
    static constexpr int32_t kLocal = 1;

    void SetUp() override {
        auto log =
            log::Log::open(dir_ / "t-0", tp_, log::LogConfig{}, 0, true, log::system_clock());
        ASSERT_TRUE(log) << log.error().message();
        log_ = std::move(log).value();
        partition_ = std::make_unique<Partition>(tp_, kLocal, log_);
    }

    // Appends `records` simple records as leader.
    result<log::AppendInfo> append(int records, int16_t acks = 1, int32_t min_isr = 1) {
        batch_ = log::test::make_simple_batch(records, 1'700'000'000'000);
        return partition_->append_records_to_leader(batch_, acks, min_isr);
    }

    TopicPartition tp_{"t", 0};
    log::test::TempDir dir_;
    std::shared_ptr<log::Log> log_;
    std::unique_ptr<Partition> partition_;
    std::vector<uint8_t> batch_;
};

}  // namespace samsa::replica::test
