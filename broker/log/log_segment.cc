#include "broker/log/log_segment.h"

#include "broker/log/errc.h"
#include "broker/log/file_util.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <sys/stat.h>

namespace samsa::log {

using protocol::RecordBatchView;

namespace {

std::string segment_path(const std::string& dir, int64_t base, const std::string& type,
                         const std::string& suffix) {
    return dir + "/" + offset_file_name(base, type) + suffix;
}

}  // namespace

result<std::unique_ptr<LogSegment>> LogSegment::open(const std::string& dir, int64_t base_offset,
                                                     const SegmentOptions& options,
                                                     const std::string& suffix) {
    std::unique_ptr<LogSegment> s(new LogSegment(base_offset, options));
    s->dir_ = dir;
    SAMSA_TRY(s->log_, FileRecords::open(segment_path(dir, base_offset, kLogFileSuffix, suffix)));
    SAMSA_TRY(s->offset_index_,
              OffsetIndex::open(segment_path(dir, base_offset, kIndexFileSuffix, suffix),
                                base_offset, options.max_index_bytes));
    SAMSA_TRY(s->time_index_,
              TimeIndex::open(segment_path(dir, base_offset, kTimeIndexFileSuffix, suffix),
                              base_offset, options.max_index_bytes));
    if (s->size() > 0 && s->indexes_look_sane()) {
        SAMSA_TRY(s->load_largest_timestamp());
    }
    return s;
}

result<void> LogSegment::load_largest_timestamp() {
    TimestampOffset last = time_index_->last_entry();
    max_timestamp_so_far_ = last.timestamp;
    offset_of_max_timestamp_so_far_ = last.offset;
    int32_t from = offset_index_->lookup(last.offset).position;
    return log_->scan_headers(from, [this](const BatchPosition& b) {
        if (b.max_timestamp > max_timestamp_so_far_) {
            max_timestamp_so_far_ = b.max_timestamp;
            offset_of_max_timestamp_so_far_ = b.last_offset;
        }
        return true;
    });
}

void LogSegment::add_index_entries(int32_t position, const RecordBatchView& batch) {
    if (batch.max_timestamp() > max_timestamp_so_far_) {
        max_timestamp_so_far_ = batch.max_timestamp();
        offset_of_max_timestamp_so_far_ = batch.last_offset();
    }
    if (bytes_since_last_index_entry_ > options_.index_interval_bytes &&
        !offset_index_->is_full()) {
        offset_index_->append(batch.last_offset(), position);
        time_index_->maybe_append(max_timestamp_so_far_, offset_of_max_timestamp_so_far_);
        bytes_since_last_index_entry_ = 0;
    }
    bytes_since_last_index_entry_ += batch.size_in_bytes();
}

result<void> LogSegment::append(std::span<const uint8_t> batches) {
    int32_t position = size();
    SAMSA_TRY(log_->append(batches));
    protocol::RecordBatchIterator it(batches);
    while (auto batch = it.next()) {
        if (position == 0) {
            rolling_based_timestamp_ = batch->max_timestamp();
        }
        add_index_entries(position, *batch);
        position += batch->size_in_bytes();
    }
    return success();
}

result<std::optional<BatchPosition>> LogSegment::translate_offset(int64_t offset,
                                                                  int32_t start_position,
                                                                  ReadMode mode) const {
    int32_t from = std::max(offset_index_->lookup(offset).position, start_position);
    return log_->search_for_offset(offset, from, mode);
}

result<std::optional<FetchDataInfo>> LogSegment::read(int64_t start_offset, int32_t max_size,
                                                      int64_t max_position, bool min_one_batch,
                                                      ReadMode mode) const {
    SAMSA_TRY(auto start, translate_offset(start_offset, 0, mode));
    if (!start) {
        return std::optional<FetchDataInfo>();
    }
    FetchDataInfo info;
    info.fetch_offset_metadata = {start_offset, base_offset_, start->position};
    int64_t adjusted_max = min_one_batch ? std::max(max_size, start->size) : max_size;
    int64_t fetch_size = std::min(max_position - start->position, adjusted_max);
    if (fetch_size > 0) {
        // The headers at the start were in the page cache; a tailing consumer's slice is all
        // fresh data, and a catching-up one's is cold at its end first.
        if (mode == ReadMode::non_blocking && !log_->is_cached(start->position + fetch_size - 1)) {
            return Errc::would_block;
        }
        info.records = protocol::Records::from_files(
            {log_->slice(start->position, static_cast<int32_t>(fetch_size))});
    }
    info.first_entry_incomplete = adjusted_max < start->size;
    return std::optional<FetchDataInfo>(std::move(info));
}

result<std::optional<TimestampAndOffset>> LogSegment::find_offset_by_timestamp(
    int64_t timestamp, int64_t starting_offset) const {
    TimestampOffset hint = time_index_->lookup(timestamp);
    int32_t from = offset_index_->lookup(std::max(hint.offset, starting_offset)).position;
    std::optional<BatchPosition> found;
    SAMSA_TRY(log_->scan_headers(from, [&](const BatchPosition& b) {
        if (b.max_timestamp >= timestamp && b.last_offset >= starting_offset) {
            found = b;
            return false;
        }
        return true;
    }));
    if (!found) {
        return std::optional<TimestampAndOffset>();
    }
    // Uncompressed batches are searched record by record; a compressed one answers with its
    // first offset (we never decompress), and LogAppendTime ones have a single timestamp.
    SAMSA_TRY(auto bytes, log_->read(found->position, found->size));
    RecordBatchView batch(bytes);
    TimestampAndOffset answer{batch.max_timestamp(), std::max(found->base_offset, starting_offset),
                              batch.partition_leader_epoch()};
    if (bytes.size() == static_cast<size_t>(found->size) &&
        batch.compression() == protocol::CompressionType::none &&
        batch.timestamp_type() == protocol::TimestampType::create_time) {
        protocol::RecordIterator records(batch);
        protocol::Record r;
        while (records.next(r)) {
            // Replicated and recovered batches never had their records validated (only the
            // leader's append does that): a delta may overflow, and such a record matches nothing.
            int64_t ts = 0;
            int64_t offset = 0;
            if (__builtin_add_overflow(batch.base_timestamp(), r.timestamp_delta, &ts) ||
                __builtin_add_overflow(batch.base_offset(), r.offset_delta, &offset)) {
                continue;
            }
            if (ts >= timestamp && offset >= starting_offset) {
                answer.timestamp = ts;
                answer.offset = offset;
                break;
            }
        }
    }
    return std::optional<TimestampAndOffset>(answer);
}

bool LogSegment::should_roll(const RollParams& p) {
    if (!rolling_based_timestamp_ && size() > 0) {
        if (auto head = log_->read(0, protocol::kRecordBatchHeaderSize);
            head && head.value().size() == static_cast<size_t>(protocol::kRecordBatchHeaderSize)) {
            rolling_based_timestamp_ = RecordBatchView(head.value()).max_timestamp();
        }
    }
    // Batch timestamps come from producers and may be anywhere in int64 (with the default
    // message.timestamp.difference.max.ms nothing bounds them): saturate instead of overflowing.
    int64_t waited = 0;
    if (rolling_based_timestamp_ && *rolling_based_timestamp_ >= 0) {
        if (__builtin_sub_overflow(p.max_timestamp_in_messages, *rolling_based_timestamp_,
                                   &waited)) {
            waited = p.max_timestamp_in_messages < 0 ? INT64_MIN : INT64_MAX;
        }
    } else {
        waited = p.now_ms - options_.created_ms;
    }
    bool reached_roll_ms = waited > p.max_segment_ms - options_.roll_jitter_ms;
    bool reached_size = int64_t{size()} > int64_t{p.max_segment_bytes} - p.messages_size;
    return (size() > 0 && (reached_size || reached_roll_ms)) || offset_index_->is_full() ||
           time_index_->is_full_for_append() || p.max_offset_in_messages - base_offset_ > INT32_MAX;
}

result<int64_t> LogSegment::read_next_offset() const {
    int64_t next = base_offset_;
    int32_t from = offset_index_->lookup(LLONG_MAX).position;
    SAMSA_TRY(log_->scan_headers(from, [&](const BatchPosition& b) {
        next = b.last_offset == INT64_MAX ? INT64_MAX : b.last_offset + 1;  // saturated header
        return true;
    }));
    return next;
}

int64_t LogSegment::largest_timestamp() const {
    if (max_timestamp_so_far_ >= 0) {
        return max_timestamp_so_far_;
    }
    struct stat st {};
    if (::stat(log_->path().c_str(), &st) != 0) {
        return 0;
    }
    return int64_t{st.st_mtim.tv_sec} * 1000 + st.st_mtim.tv_nsec / 1000000;
}

bool LogSegment::indexes_look_sane() const {
    return offset_index_->sanity_check(size()) && time_index_->sanity_check();
}

result<void> LogSegment::reset_indexes_to(int32_t max_index_bytes) {
    offset_index_->reset();
    time_index_->reset();
    SAMSA_TRY(offset_index_->resize(max_index_bytes));
    SAMSA_TRY(time_index_->resize(max_index_bytes));
    max_timestamp_so_far_ = -1;
    offset_of_max_timestamp_so_far_ = base_offset_;
    bytes_since_last_index_entry_ = 0;
    return success();
}

result<void> LogSegment::resize_indexes(int32_t max_index_bytes) {
    SAMSA_TRY(offset_index_->resize(max_index_bytes));
    return time_index_->resize(max_index_bytes);
}

result<int32_t> LogSegment::truncate_to(int64_t offset, int64_t now_ms) {
    SAMSA_TRY(auto mapping, translate_offset(offset));
    offset_index_->truncate_to(offset);
    time_index_->truncate_to(offset);
    // The truncated segment becomes the active one: give its indexes room again.
    SAMSA_TRY(resize_indexes(options_.max_index_bytes));
    if (!mapping) {
        return 0;
    }
    int32_t before = size();
    SAMSA_TRY(log_->truncate_to(mapping->position));
    if (size() == 0) {
        options_.created_ms = now_ms;
        rolling_based_timestamp_.reset();
    }
    bytes_since_last_index_entry_ = 0;
    if (max_timestamp_so_far_ >= 0) {
        SAMSA_TRY(load_largest_timestamp());
    }
    return before - size();
}

result<void> LogSegment::on_become_inactive() {
    if (max_timestamp_so_far_ >= 0) {
        time_index_->maybe_append(max_timestamp_so_far_, offset_of_max_timestamp_so_far_, true);
    }
    SAMSA_TRY(offset_index_->trim());
    return time_index_->trim();
}

result<void> LogSegment::flush() const {
    SAMSA_TRY(auto handles, flush_handles());
    for (const auto& handle : handles) {
        SAMSA_TRY(fsync_fd(handle->fd(), handle->path()));
    }
    return success();
}

result<std::vector<std::shared_ptr<const FileHandle>>> LogSegment::flush_handles() const {
    std::vector<std::shared_ptr<const FileHandle>> handles{log_->handle()};
    for (const AbstractIndex* index : {static_cast<const AbstractIndex*>(offset_index_.get()),
                                       static_cast<const AbstractIndex*>(time_index_.get())}) {
        SAMSA_TRY(auto h, index->open_for_flush());
        if (h != nullptr) {
            handles.push_back(std::move(h));
        }
    }
    return handles;
}

result<void> LogSegment::change_file_suffixes(const std::string& suffix) {
    // The .log last: recovery goes by the .log's name (a *.swap index alone is rebuilt).
    SAMSA_TRY(offset_index_->rename_to(segment_path(dir_, base_offset_, kIndexFileSuffix, suffix)));
    SAMSA_TRY(
        time_index_->rename_to(segment_path(dir_, base_offset_, kTimeIndexFileSuffix, suffix)));
    return log_->rename_to(segment_path(dir_, base_offset_, kLogFileSuffix, suffix));
}

result<void> LogSegment::delete_files() {
    SAMSA_TRY(log_->delete_file());
    SAMSA_TRY(offset_index_->delete_file());
    return time_index_->delete_file();
}

result<void> LogSegment::close() {
    if (max_timestamp_so_far_ >= 0) {
        time_index_->maybe_append(max_timestamp_so_far_, offset_of_max_timestamp_so_far_, true);
    }
    SAMSA_TRY(offset_index_->close());
    return time_index_->close();
}

}  // namespace samsa::log

namespace samsa::log {

namespace {

// Reads the .log sequentially in large chunks, handing out whole batches.
class ChunkReader {
  public:
    static constexpr size_t kChunk = 1024 * 1024;

    explicit ChunkReader(const FileRecords& file) : file_(file) {}

    // The `n` bytes at `position` (which must lie within the file), or an I/O error.
    result<std::span<const uint8_t>> bytes(int32_t position, size_t n) {
        if (position < start_ || position + n > start_ + buf_.size()) {
            SAMSA_TRY(buf_, file_.read(position, static_cast<int32_t>(std::max(n, kChunk))));
            start_ = position;
            if (buf_.size() < n) {
                return Errc::storage_error;  // the file shrank under us
            }
        }
        return std::span<const uint8_t>(buf_).subspan(static_cast<size_t>(position - start_), n);
    }

  private:
    const FileRecords& file_;
    std::vector<uint8_t> buf_;
    int64_t start_ = 0;
};

}  // namespace

std::string LogSegment::check_batch(const RecordBatchView& batch, int64_t next_offset) const {
    if (batch.magic() != protocol::kMagicV2) {
        return fmt::format("unsupported magic {}", batch.magic());
    }
    if (!batch.is_valid_crc()) {
        return fmt::format("CRC mismatch (stored {:#x}, computed {:#x})", batch.crc(),
                           batch.compute_crc());
    }
    // Kafka does not check offset order here, but our indexes need it, and a CRC-valid batch
    // with offsets going backwards cannot have been written by this log.
    if (batch.last_offset_delta() < 0 || batch.base_offset() < next_offset ||
        batch.last_offset() - base_offset_ > INT32_MAX) {
        return fmt::format("offsets [{}, {}] out of order after {}", batch.base_offset(),
                           batch.last_offset(), next_offset);
    }
    return "";
}

result<SegmentRecovery> LogSegment::recover() {
    SAMSA_TRY(reset_indexes_to(options_.max_index_bytes));
    SegmentRecovery r;
    r.next_offset = base_offset_;
    ChunkReader reader(*log_);
    int32_t pos = 0;
    while (pos < size()) {
        if (size() - pos < protocol::kRecordBatchHeaderSize) {
            r.reason = fmt::format("{} trailing bytes, less than a batch header", size() - pos);
            break;
        }
        SAMSA_TRY(auto head, reader.bytes(pos, protocol::kLogOverhead));
        int64_t length = protocol::load_be32(head.data() + protocol::kBatchLengthOffset);
        int64_t batch_size = length + protocol::kLogOverhead;
        if (batch_size < protocol::kRecordBatchHeaderSize || pos + batch_size > size()) {
            r.reason = fmt::format("batch size {} impossible with {} bytes left", batch_size,
                                   size() - pos);
            break;
        }
        SAMSA_TRY(auto bytes, reader.bytes(pos, static_cast<size_t>(batch_size)));
        RecordBatchView batch(bytes);
        r.reason = check_batch(batch, r.next_offset);
        if (!r.reason.empty()) {
            break;
        }
        if (pos == 0) {
            rolling_based_timestamp_ = batch.max_timestamp();
        }
        add_index_entries(pos, batch);
        r.next_offset = batch.next_offset();
        pos += static_cast<int32_t>(batch_size);
    }
    r.valid_bytes = pos;
    r.truncated_bytes = size() - pos;
    if (r.truncated_bytes > 0) {
        SAMSA_TRY(log_->truncate_to(pos));
    }
    if (max_timestamp_so_far_ >= 0) {
        time_index_->maybe_append(max_timestamp_so_far_, offset_of_max_timestamp_so_far_, true);
    }
    return r;
}

}  // namespace samsa::log
