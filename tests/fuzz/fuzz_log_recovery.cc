// libFuzzer target: a partition directory whose only segment file holds the input, opened the
// way the LogManager opens logs at startup (Log::open -> LogLoader, log_loader.h).
//
// Input: one flags byte (bit 0: the previous shutdown was clean), then the bytes of
// 00000000000000000000.log. The CRC of every complete batch is recomputed first (see
// fuzz_batches.h), so the fuzzer reaches the offset, length and record checks behind it.
//
// Properties: opening never fails on bad bytes (recovery truncates, it does not refuse);
// after an unclean shutdown what recovery kept is a prefix of the file that reads back
// byte for byte; fetch_offset_by_timestamp() works on whatever was kept. No index files exist,
// so every segment is rebuilt: this is the same path as a crash with lost indexes.

#include "broker/log/log.h"
#include "common/logging.h"
#include "tests/fuzz/fuzz_batches.h"
#include "tests/fuzz/fuzz_check.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <unistd.h>
#include <vector>

namespace samsa::log {
namespace {

constexpr int64_t kNowMs = 1'700'000'000'000;

LogConfig make_config() {
    LogConfig c;
    c.segment_index_bytes = 64 << 10;
    c.file_delete_delay_ms = 0;
    return c;
}

// A temp dir for the whole process, removed at exit.
struct TempDir {
    std::string path;
    TempDir() {
        const char* tmp = std::getenv("TMPDIR");
        std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/samsa-fuzz-XXXXXX";
        FUZZ_CHECK(::mkdtemp(pattern.data()) != nullptr, "mkdtemp(%s) failed", pattern.c_str());
        path = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

TempDir& temp_dir() {
    static TempDir d;
    return d;
}

void write_segment(const std::string& dir, std::span<const uint8_t> bytes) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    std::filesystem::create_directories(dir, ec);
    FUZZ_CHECK(!ec, "cannot create %s", dir.c_str());
    std::ofstream out(dir + "/00000000000000000000.log", std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    FUZZ_CHECK(out.good(), "cannot write the segment");
}

void check_recovered(const Log& log, std::span<const uint8_t> file, bool clean) {
    const int64_t size = log.size_in_bytes();
    FUZZ_CHECK(log.log_end_offset() >= log.log_start_offset(), "LEO %lld below log start %lld",
               static_cast<long long>(log.log_end_offset()),
               static_cast<long long>(log.log_start_offset()));
    if (!clean) {
        FUZZ_CHECK(size >= 0 && static_cast<size_t>(size) <= file.size(),
                   "recovery kept %lld of %zu bytes", static_cast<long long>(size), file.size());
    }
    if (!clean && size > 0 && log.log_end_offset() > log.log_start_offset()) {
        auto read = log.read(log.log_start_offset(), static_cast<int32_t>(size),
                             log.log_end_offset(), true);
        FUZZ_CHECK(read.has_value(), "read of the recovered log failed: %s",
                   read.error().message().c_str());
        std::vector<uint8_t> back;
        FUZZ_CHECK(read.value().records.materialize(back), "short read of the recovered log");
        FUZZ_CHECK(back.size() <= file.size() && std::equal(back.begin(), back.end(), file.begin()),
                   "the recovered log is not a prefix of the file (%zu bytes read)", back.size());
    }
    if (file.size() >= static_cast<size_t>(protocol::kRecordBatchHeaderSize)) {
        const int64_t ts = protocol::RecordBatchView(file).base_timestamp();
        FUZZ_CHECK(log.fetch_offset_by_timestamp(ts).has_value(),
                   "fetch_offset_by_timestamp failed on a recovered log");
    }
}

}  // namespace
}  // namespace samsa::log

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    samsa::init_logging("off");
    samsa::log::temp_dir();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace samsa::log;
    if (size == 0) {
        return 0;
    }
    const bool clean = (data[0] & 1) != 0;
    std::vector<uint8_t> file(data + 1, data + size);
    samsa::fuzz::fix_crcs(file);
    const std::string dir = temp_dir().path + "/recover-0";
    write_segment(dir, file);
    {
        auto opened = Log::open(dir, samsa::TopicPartition{"recover", 0}, make_config(), 0, clean,
                                [] { return kNowMs; });
        FUZZ_CHECK(opened.has_value(), "opening the log failed instead of recovering: %s",
                   opened.error().message().c_str());
        check_recovered(*opened.value(), file, clean);
    }
    return 0;
}
