#pragma once
// A compacted log in a temp dir, a LogCleaner over it, and helpers to write keyed records and
// read back (offset, key, value) triples.

#include "broker/log/file_util.h"
#include "broker/log/log_cleaner.h"
#include "broker/protocol/compression.h"
#include "tests/unit/log/log_fixture.h"

#include <fcntl.h>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace samsa::log::test {

struct KeyedRecord {
    int64_t offset = 0;
    std::string key;
    std::optional<std::string> value;
    bool operator==(const KeyedRecord&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const KeyedRecord& r) {
    return os << r.offset << ":" << r.key << "=" << r.value.value_or("<null>");
}

class CleanerFixture : public LogFixture {
  protected:
    CleanerFixture() {
        config_.cleanup_policy_compact = true;
        config_.cleanup_policy_delete = false;
        config_.min_cleanable_dirty_ratio = 0.01;
        config_.file_delete_delay_ms = 0;
    }

    void open(bool clean = true) { log_ = std::shared_ptr<Log>(open_log(clean).release()); }

    std::unique_ptr<LogCleaner> make_cleaner(int64_t dedupe_bytes = 1 << 20) {
        CleanerConfig cc;
        cc.dedupe_buffer_size = dedupe_bytes;
        cc.io_buffer_size = 4096;
        return std::make_unique<LogCleaner>(
            cc, std::vector<std::string>{dir_.path()},
            [this] {
                return std::vector<CleanerLog>{{{"topic", 0}, log_, dir_.path()}};
            },
            clock_.clock());
    }

    // Appends one batch of records (key, value or null) with the codec; returns its offset.
    int64_t put_batch(const std::vector<std::pair<std::string, std::optional<std::string>>>& kvs,
                      protocol::CompressionType codec = protocol::CompressionType::none,
                      int64_t timestamp = 0, BatchOptions options = {}) {
        std::vector<TestRecord> records;
        for (const auto& [k, v] : kvs) {
            records.push_back({k, v, {}, timestamp});
        }
        auto batch = make_batch(records, options);
        if (codec != protocol::CompressionType::none) {
            batch = protocol::compress_batch(batch, codec).value();
        }
        auto info = log_->append_as_leader(batch, 0);
        EXPECT_TRUE(info) << info.error().message();
        return info ? info.value().first_offset : -1;
    }
    int64_t put(const std::string& key, std::optional<std::string> value, int64_t timestamp = 0) {
        return put_batch({{key, std::move(value)}}, protocol::CompressionType::none, timestamp);
    }

    // Rolls, and lets the HW reach the log end (the cleaner stays below both).
    void roll_and_commit() {
        ASSERT_TRUE(log_->roll());
        log_->update_high_watermark(log_->log_end_offset());
    }

    std::vector<KeyedRecord> records() const {
        std::vector<KeyedRecord> out;
        int64_t offset = log_->log_start_offset();
        while (offset < log_->log_end_offset()) {
            auto data = log_->read(offset, INT32_MAX, log_->log_end_offset(), true);
            EXPECT_TRUE(data);
            auto bytes = bytes_of(data.value());
            protocol::RecordBatchIterator it(bytes);
            bool any = false;
            while (auto b = it.next()) {
                any = true;
                auto walked = protocol::for_each_record(*b, [&](const protocol::Record& r) {
                    KeyedRecord k;
                    k.offset = b->base_offset() + r.offset_delta;
                    k.key.assign(r.key->begin(), r.key->end());
                    if (r.value) {
                        k.value = std::string(r.value->begin(), r.value->end());
                    }
                    out.push_back(k);
                });
                EXPECT_TRUE(walked && walked.value());
                offset = b->next_offset();
            }
            if (!any) {
                break;
            }
        }
        return out;
    }

    std::vector<protocol::RecordBatchView> batches(std::vector<uint8_t>& storage) const {
        auto data = log_->read(log_->log_start_offset(), INT32_MAX, log_->log_end_offset(), true);
        storage = bytes_of(data.value());
        std::vector<protocol::RecordBatchView> out;
        protocol::RecordBatchIterator it(storage);
        while (auto b = it.next()) {
            out.push_back(*b);
        }
        return out;
    }

    void set_mtime(int64_t base, int64_t ms) {
        std::string path = log_dir() + "/" + offset_file_name(base, ".log");
        struct timespec times[2];
        times[0].tv_sec = ms / 1000;
        times[0].tv_nsec = (ms % 1000) * 1000000;
        times[1] = times[0];
        ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
    }

    std::vector<std::string> files_with_suffix(const std::string& suffix) const {
        std::vector<std::string> out;
        for (const auto& e : std::filesystem::directory_iterator(log_dir())) {
            if (e.path().string().ends_with(suffix)) {
                out.push_back(e.path().filename().string());
            }
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    std::shared_ptr<Log> log_;
};

}  // namespace samsa::log::test
