#include "broker/log/cleaner.h"

#include "broker/log/errc.h"
#include "broker/log/file_util.h"
#include "broker/log/log_loader.h"
#include "broker/log/record_filter.h"
#include "broker/protocol/compression.h"
#include "common/logging.h"

#include <algorithm>
#include <climits>
#include <filesystem>
#include <span>
#include <sys/stat.h>

namespace samsa::log {
namespace fs = std::filesystem;

using protocol::RecordBatchView;

namespace {

// Reads a segment's batches in order through its descriptor (no lock: the segment is below
// the active one, so only its deletion or truncation could change it, and the swap checks
// for both). Whole batches only; a trailing partial batch ends the segment.
class BatchReader {
  public:
    BatchReader(const CleanableSegment& segment, int32_t buffer_size, Throttler* throttler)
        : segment_(segment),
          buffer_size_(std::max(buffer_size, protocol::kRecordBatchHeaderSize)),
          throttler_(throttler) {}

    result<std::optional<RecordBatchView>> next() {
        if (position_ + protocol::kRecordBatchHeaderSize > segment_.size) {
            return std::optional<RecordBatchView>();
        }
        SAMSA_TRY(auto head, bytes(position_, protocol::kLogOverhead));
        int64_t size = int64_t{protocol::load_be32(head.data() + protocol::kBatchLengthOffset)} +
                       protocol::kLogOverhead;
        if (size < protocol::kRecordBatchHeaderSize || position_ + size > segment_.size) {
            return std::optional<RecordBatchView>();
        }
        SAMSA_TRY(auto whole, bytes(position_, static_cast<size_t>(size)));
        position_ += size;
        return std::optional<RecordBatchView>(RecordBatchView(whole));
    }

  private:
    result<std::span<const uint8_t>> bytes(int64_t position, size_t n) {
        if (position < start_ || position + static_cast<int64_t>(n) > start_ + filled_) {
            size_t want = std::max(n, static_cast<size_t>(buffer_size_));
            want = std::min<size_t>(want, static_cast<size_t>(segment_.size - position));
            buf_.resize(std::max(buf_.size(), want));
            SAMSA_TRY(size_t got,
                      pread_fully(segment_.file->fd(), std::span<uint8_t>(buf_.data(), want),
                                  position, segment_.file->path()));
            if (throttler_ != nullptr) {
                throttler_->maybe_throttle(static_cast<int64_t>(got));
            }
            start_ = position;
            filled_ = static_cast<int64_t>(got);
            if (got < n) {
                return Errc::storage_error;  // shorter than its snapshot: truncated meanwhile
            }
        }
        return std::span<const uint8_t>(buf_).subspan(static_cast<size_t>(position - start_), n);
    }

    const CleanableSegment& segment_;
    int32_t buffer_size_;
    Throttler* throttler_;
    std::vector<uint8_t> buf_;
    int64_t start_ = 0;
    int64_t filled_ = 0;
    int64_t position_ = 0;
};

void remove_segment_files(const std::string& dir, int64_t base, const std::string& suffix) {
    for (const auto* type : {&kLogFileSuffix, &kIndexFileSuffix, &kTimeIndexFileSuffix}) {
        std::error_code ignored;
        fs::remove(dir + "/" + offset_file_name(base, *type) + suffix, ignored);
    }
}

result<void> set_mtime(const FileHandle& file, int64_t ms) {
    struct timespec times[2];
    times[0].tv_sec = ms / 1000;
    times[0].tv_nsec = (ms % 1000) * 1000000;
    times[1] = times[0];
    if (::futimens(file.fd(), times) != 0) {
        return io_error("futimens", file.path());
    }
    return success();
}

}  // namespace

std::vector<std::vector<size_t>> group_segments_by_size(const std::vector<CleanableSegment>& segs,
                                                        int32_t max_size, int32_t max_index_size,
                                                        int64_t max_mtime_span_ms) {
    std::vector<std::vector<size_t>> groups;
    size_t i = 0;
    while (i < segs.size()) {
        std::vector<size_t> group{i};
        int64_t size = segs[i].size;
        int64_t offset_index = segs[i].offset_index_bytes;
        int64_t time_index = segs[i].time_index_bytes;
        int64_t base = segs[i].base_offset;
        for (++i; i < segs.size(); ++i) {
            const CleanableSegment& next = segs[i];
            if (size + next.size > max_size ||
                offset_index + next.offset_index_bytes > max_index_size ||
                time_index + next.time_index_bytes > max_index_size ||
                next.end_offset - 1 - base > INT32_MAX ||
                next.last_modified_ms - segs[group.front()].last_modified_ms > max_mtime_span_ms) {
                break;
            }
            group.push_back(i);
            size += next.size;
            offset_index += next.offset_index_bytes;
            time_index += next.time_index_bytes;
        }
        groups.push_back(std::move(group));
    }
    return groups;
}

Cleaner::Cleaner(const CleanerConfig& config, size_t offset_map_bytes, Throttler* throttler,
                 Clock clock, std::function<bool()> stopping)
    : config_(config),
      map_(offset_map_bytes, config.dedupe_buffer_load_factor),
      throttler_(throttler),
      clock_(std::move(clock)),
      stopping_(std::move(stopping)) {}

result<void> Cleaner::check_stopping() const {
    if (stopping_ && stopping_()) {
        return Errc::cleaning_aborted;
    }
    return success();
}

result<int64_t> Cleaner::build_offset_map(const LogToClean& log) {
    map_.clear();
    const int64_t start = log.first_dirty_offset;
    const int64_t stop = log.first_uncleanable_offset;
    for (const CleanableSegment& seg : log.snapshot.segments) {
        if (seg.end_offset <= start || seg.base_offset >= stop) {
            continue;
        }
        BatchReader reader(seg, config_.io_buffer_size, throttler_);
        for (;;) {
            SAMSA_TRY(check_stopping());
            SAMSA_TRY(auto batch, reader.next());
            if (!batch) {
                break;
            }
            stats_.bytes_read += batch->size_in_bytes();
            if (batch->next_offset() <= start || batch->is_control()) {
                continue;
            }
            if (batch->base_offset() >= stop) {
                return stop;
            }
            std::vector<uint8_t> owned;
            std::span<const uint8_t> records = batch->records_bytes();
            if (batch->compression() != protocol::CompressionType::none) {
                auto decompressed = protocol::decompress_records(*batch);
                if (!decompressed) {
                    continue;  // kept whole by the filter, so nothing of it can be lost
                }
                owned = std::move(decompressed).value();
                records = owned;
            }
            protocol::RecordIterator it(records);
            protocol::Record r;
            while (it.next(r)) {
                int64_t offset = batch->base_offset() + r.offset_delta;
                if (offset < start || offset >= stop || !r.key) {
                    continue;
                }
                if (map_.full() && map_.get(*r.key) < 0) {
                    return offset;  // the map is full: the section ends here
                }
                map_.put(*r.key, offset);
            }
        }
    }
    return stop;
}

result<std::unordered_map<int64_t, int64_t>> Cleaner::producer_last_offsets(
    const std::vector<CleanableSegment>& segments) {
    std::unordered_map<int64_t, int64_t> last;
    for (const CleanableSegment& seg : segments) {
        BatchReader reader(seg, config_.io_buffer_size, throttler_);
        for (;;) {
            SAMSA_TRY(check_stopping());
            SAMSA_TRY(auto batch, reader.next());
            if (!batch) {
                break;
            }
            if (batch->has_producer_id()) {
                last[batch->producer_id()] = batch->last_offset();
            }
        }
    }
    return last;
}

result<Cleaner::CleanedGroup> Cleaner::clean_group(
    const LogToClean& log, std::span<const CleanableSegment> group, int64_t delete_horizon_ms,
    const std::unordered_map<int64_t, int64_t>& producers) {
    const std::string dir = log.log->dir();
    const int64_t base = group.front().base_offset;
    remove_segment_files(dir, base, kCleanedFileSuffix);
    SAMSA_TRY(auto cleaned,
              LogSegment::open(dir, base, segment_options(log.log->config(), clock_()),
                               kCleanedFileSuffix));
    auto write = [&](std::vector<uint8_t>& out) -> result<void> {
        if (!out.empty()) {
            SAMSA_TRY(cleaned->append(out));
            stats_.bytes_written += static_cast<int64_t>(out.size());
            if (throttler_ != nullptr) {
                throttler_->maybe_throttle(static_cast<int64_t>(out.size()));
            }
            out.clear();
        }
        return success();
    };
    size_t used = 0;
    auto copy_group = [&]() -> result<void> {
        std::vector<uint8_t> out;
        bool keeps_tombstone = false;
        // A segment whose tombstones stay ends the new segment: its mtime, which the new
        // segment takes, is what the delete horizon measures their age by.
        for (; used < group.size() && !keeps_tombstone; ++used) {
            const CleanableSegment& seg = group[used];
            FilterContext context{&map_, seg.last_modified_ms > delete_horizon_ms, &producers};
            BatchReader reader(seg, config_.io_buffer_size, throttler_);
            for (;;) {
                SAMSA_TRY(check_stopping());
                SAMSA_TRY(auto batch, reader.next());
                if (!batch) {
                    break;
                }
                SAMSA_TRY(FilterOutcome f, filter_batch(*batch, context));
                stats_.records_read += f.records_read;
                stats_.records_kept += f.records_kept;
                keeps_tombstone = keeps_tombstone || f.keeps_tombstone;
                switch (f.action) {
                    case FilterOutcome::Action::keep:
                        out.insert(out.end(), batch->bytes().begin(), batch->bytes().end());
                        break;
                    case FilterOutcome::Action::rewrite:
                        ++stats_.batches_rewritten;
                        out.insert(out.end(), f.rewritten.begin(), f.rewritten.end());
                        break;
                    case FilterOutcome::Action::drop:
                        ++stats_.batches_dropped;
                        break;
                }
                if (out.size() >= static_cast<size_t>(config_.io_buffer_size)) {
                    SAMSA_TRY(write(out));
                }
            }
        }
        SAMSA_TRY(write(out));
        SAMSA_TRY(cleaned->on_become_inactive());
        SAMSA_TRY(cleaned->flush());
        return set_mtime(*cleaned->log().handle(), group[used - 1].last_modified_ms);
    };
    if (auto r = copy_group(); !r) {
        (void)cleaned->delete_files();
        return r.error();
    }
    stats_.segments_cleaned += static_cast<int64_t>(used);
    return CleanedGroup{std::move(cleaned), used};
}

result<int64_t> Cleaner::clean(const LogToClean& log) {
    stats_ = {};
    auto logger = get_logger("log");
    SAMSA_TRY(int64_t end, build_offset_map(log));
    std::vector<CleanableSegment> to_clean;
    int64_t delete_horizon_ms = 0;
    for (const CleanableSegment& seg : log.snapshot.segments) {
        if (seg.base_offset < end) {
            to_clean.push_back(seg);
        }
        if (seg.base_offset < log.first_dirty_offset) {
            delete_horizon_ms = seg.last_modified_ms - log.log->config().delete_retention_ms;
        }
    }
    if (to_clean.empty()) {
        return end;
    }
    SAMSA_TRY(auto producers, producer_last_offsets(to_clean));
    const LogConfig& config = log.log->config();
    std::vector<std::unique_ptr<LogSegment>> cleaned;
    const std::string dir = log.log->dir();
    auto discard = [&](std::error_code ec) {
        for (auto& seg : cleaned) {
            (void)seg->delete_files();
        }
        return ec;
    };
    for (const auto& indexes :
         group_segments_by_size(to_clean, config.segment_bytes, config.segment_index_bytes,
                                config.delete_retention_ms)) {
        std::vector<CleanableSegment> group;
        for (size_t i : indexes) {
            group.push_back(to_clean[i]);
        }
        // A group is cut after each of its segments that keeps tombstones (clean_group).
        std::span<const CleanableSegment> rest(group);
        while (!rest.empty()) {
            auto done = clean_group(log, rest, delete_horizon_ms, producers);
            if (!done) {
                return discard(done.error());
            }
            rest = rest.subspan(done.value().segments_used);
            cleaned.push_back(std::move(done.value().segment));
        }
    }
    std::vector<int64_t> bases;
    for (const auto& seg : cleaned) {
        bases.push_back(seg->base_offset());
    }
    auto replaced = log.log->replace_segments(
        std::move(cleaned), log.snapshot, to_clean.front().base_offset, to_clean.back().end_offset);
    if (!replaced) {
        for (int64_t base : bases) {
            remove_segment_files(dir, base, kCleanedFileSuffix);
        }
        return replaced.error();
    }
    logger->info(
        "{}: cleaned offsets [{}, {}) of a log starting at {}: {} segment(s) into {}, "
        "{} of {} bytes kept, {} of {} records kept, delete horizon {}",
        log.tp, log.first_dirty_offset, end, to_clean.front().base_offset, stats_.segments_cleaned,
        bases.size(), stats_.bytes_written, std::max<int64_t>(stats_.bytes_read, 1),
        stats_.records_kept, stats_.records_read, delete_horizon_ms);
    return end;
}

}  // namespace samsa::log
