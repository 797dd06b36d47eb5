#pragma once
// FileRecords: a segment's .log file, i.e. RecordBatches back to back (format in
// broker/protocol/record_batch.h), with nothing before, between or after them. Appends go
// through pwrite into the page cache; fsync only on flush(). Reads return FileSlices that
// share ownership of the descriptor, so a fetch can be sent (sendfile) after the log has
// rolled, truncated or deleted the file.
//
// Scanning reads batch headers in chunks of kScanChunk bytes, so finding a batch costs one or
// two preads rather than one per batch.
//
// Not thread-safe: called by its LogSegment under the Log's lock. The FileSlices it returns
// may be read from any thread.

#include "broker/log/fetch_data_info.h"
#include "broker/protocol/record_batch.h"
#include "broker/protocol/records.h"
#include "common/file_handle.h"
#include "common/result.h"

#include <boost/outcome/try.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace samsa::log {

// Where a batch sits in the file and what its header says.
struct BatchPosition {
    int64_t base_offset = 0;
    int64_t last_offset = 0;
    int64_t max_timestamp = -1;
    int32_t position = 0;
    int32_t size = 0;
};

class FileRecords {
  public:
    static constexpr int32_t kScanChunk = 16 * 1024;

    // Opens or creates `path`; size() is the current file length.
    static result<std::unique_ptr<FileRecords>> open(const std::string& path);
    // Opens an existing `path` for reading only (Kafka's FileRecords.open(file, mutable =
    // false)): the offline tools (samsa-dump-log.sh) must not create or change a segment.
    static result<std::unique_ptr<FileRecords>> open_read_only(const std::string& path);

    FileRecords(const FileRecords&) = delete;
    FileRecords& operator=(const FileRecords&) = delete;

    const std::string& path() const { return path_; }
    int32_t size() const { return size_; }
    std::shared_ptr<const FileHandle> handle() const { return file_; }

    // Appends whole batches at the end of the file.
    result<void> append(std::span<const uint8_t> bytes);
    result<void> flush() const;
    // Cuts the file to `size` bytes (<= size()).
    result<void> truncate_to(int32_t size);
    result<void> rename_to(const std::string& path);
    result<void> delete_file();

    // The bytes [position, position + size) as a sendable slice.
    protocol::FileSlice slice(int32_t position, int32_t size) const {
        return {file_, position, size};
    }

    // The first batch at or after `start_position` whose last offset >= `target`. With
    // ReadMode::non_blocking, Errc::would_block if the headers are not in the page cache.
    result<std::optional<BatchPosition>> search_for_offset(
        int64_t target, int32_t start_position, ReadMode mode = ReadMode::may_block) const;
    // Whether the byte at `position` is in the page cache (a cheap hint that a slice ending
    // there can be sent without waiting for the disk).
    bool is_cached(int64_t position) const;
    // The first batch at or after `start_position` whose max timestamp >= `target`.
    result<std::optional<BatchPosition>> search_for_timestamp(int64_t target,
                                                              int32_t start_position) const;
    // Visits the batch headers from `start_position` until `visit` returns false, the file
    // ends, or a header is impossible (batchLength < 49) or cut short.
    template <typename Visit>
    result<void> scan_headers(int32_t start_position, Visit visit,
                              ReadMode mode = ReadMode::may_block) const;
    // The same walk, handing `visit` the batch's 61-byte header and its BatchPosition (for
    // the header fields BatchPosition lacks, e.g. the producer's).
    template <typename Visit>
    result<void> scan_full_headers(int32_t start_position, Visit visit,
                                   ReadMode mode = ReadMode::may_block) const;

    // Reads `size` bytes at `position` (a whole batch, for ListOffsets on uncompressed ones).
    result<std::vector<uint8_t>> read(int32_t position, int32_t size) const;

  private:
    FileRecords(std::string path, std::shared_ptr<FileHandle> file, int32_t size)
        : path_(std::move(path)), file_(std::move(file)), size_(size) {}

    result<size_t> read_chunk(int32_t position, std::vector<uint8_t>& buf, ReadMode mode) const;

    std::string path_;
    std::shared_ptr<FileHandle> file_;
    int32_t size_;
};

template <typename Visit>
result<void> FileRecords::scan_headers(int32_t start_position, Visit visit, ReadMode mode) const {
    return scan_full_headers(
        start_position,
        [&](const protocol::RecordBatchView&, const BatchPosition& b) { return visit(b); }, mode);
}

template <typename Visit>
result<void> FileRecords::scan_full_headers(int32_t start_position, Visit visit,
                                            ReadMode mode) const {
    std::vector<uint8_t> buf;
    int32_t chunk_start = start_position;
    size_t chunk_len = 0;
    int32_t pos = start_position;
    while (pos + protocol::kRecordBatchHeaderSize <= size_) {
        size_t at = static_cast<size_t>(pos - chunk_start);
        if (at + protocol::kRecordBatchHeaderSize > chunk_len) {
            chunk_start = pos;
            SAMSA_TRY(chunk_len, read_chunk(pos, buf, mode));
            at = 0;
            if (chunk_len < static_cast<size_t>(protocol::kRecordBatchHeaderSize)) {
                break;
            }
        }
        protocol::RecordBatchView header(
            std::span<const uint8_t>(buf).subspan(at, protocol::kRecordBatchHeaderSize));
        int32_t length = header.batch_length();
        if (length < protocol::kRecordBatchHeaderSize - protocol::kLogOverhead ||
            int64_t{pos} + length + protocol::kLogOverhead > size_) {
            break;
        }
        BatchPosition b{header.base_offset(), header.last_offset(), header.max_timestamp(), pos,
                        length + protocol::kLogOverhead};
        if (!visit(header, b)) {
            break;
        }
        pos += b.size;
    }
    return success();
}

}  // namespace samsa::log
