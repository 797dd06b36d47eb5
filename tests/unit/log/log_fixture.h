#pragma once
// A fixture owning a temp partition dir, a manual clock and a Log opened on them.

#include "broker/log/errc.h"
#include "broker/log/log.h"
#include "tests/unit/log/test_util.h"

#include <gtest/gtest.h>

namespace samsa::log::test {

class LogFixture : public ::testing::Test {
  protected:
    LogFixture() { config_.segment_bytes = 1024 * 1024; }

    std::string log_dir() const { return dir_ / "topic-0"; }

    std::unique_ptr<Log> open_log(bool clean = true, int64_t recovery_point = 0) {
        auto log =
            Log::open(log_dir(), {"topic", 0}, config_, recovery_point, clean, clock_.clock());
        EXPECT_TRUE(log) << log.error().message();
        return log ? std::move(log).value() : nullptr;
    }

    // Appends `count` records as one producer batch; returns its first offset.
    int64_t append(Log& log, int count, int64_t timestamp = -2, size_t value_size = 16) {
        auto batch =
            make_simple_batch(count, timestamp == -2 ? clock_.now() : timestamp, value_size);
        auto info = log.append_as_leader(batch, 0);
        EXPECT_TRUE(info) << info.error().message();
        return info ? info.value().first_offset : -1;
    }

    // The bytes a read returned, and the batches in them (a partial tail is left out).
    static std::vector<uint8_t> bytes_of(const FetchDataInfo& info) {
        std::vector<uint8_t> out;
        EXPECT_TRUE(info.records.materialize(out));
        return out;
    }
    static std::vector<std::pair<int64_t, int64_t>> batch_offsets(
        const std::vector<uint8_t>& bytes) {
        std::vector<std::pair<int64_t, int64_t>> out;
        protocol::RecordBatchIterator it(bytes);
        while (auto b = it.next()) {
            out.emplace_back(b->base_offset(), b->last_offset());
        }
        return out;
    }

    TempDir dir_;
    ManualClock clock_;
    LogConfig config_;
};

}  // namespace samsa::log::test
