#include "broker/log/log.h"

#include "broker/log/errc.h"
#include "broker/log/file_util.h"
#include "broker/log/log_loader.h"
#include "broker/log/log_retention.h"
#include "broker/log/log_validator.h"
#include "broker/log/partition_metadata_file.h"
#include "broker/metrics/metrics.h"
#include "common/logging.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <mutex>

namespace samsa::log {
namespace fs = std::filesystem;

using SegmentMap = std::map<int64_t, std::unique_ptr<LogSegment>>;

namespace {

// What a producer's retry of an already appended batch is answered with: the original
// offsets, nothing written, and the log's current start offset (Kafka's Log.append for a
// duplicate: the client learns the log start from every answer, a retried one included).
AppendInfo duplicate_append_info(const ProducerBatch& original, const ValidatedBatch& v,
                                 int64_t log_start_offset) {
    AppendInfo info;
    info.log_start_offset = log_start_offset;
    info.first_offset = original.first_offset;
    info.last_offset = original.last_offset;
    info.log_append_time = v.log_append_time ? original.timestamp : -1;
    info.max_timestamp = original.timestamp;
    info.offset_of_max_timestamp = original.last_offset;
    info.duplicate = true;
    return info;
}

}  // namespace

result<std::unique_ptr<Log>> Log::open(const std::string& dir, const TopicPartition& tp,
                                       const LogConfig& config, int64_t recovery_point,
                                       bool had_clean_shutdown, Clock clock,
                                       int64_t log_start_offset) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        get_logger("log")->error("cannot create {}: {}", dir, ec.message());
        return Errc::storage_error;
    }
    int64_t now = clock();
    LoadParams params{dir, tp, config, recovery_point, log_start_offset, had_clean_shutdown, now};
    SAMSA_TRY(LoadedLog loaded, LogLoader::load(params));
    SAMSA_TRY(auto topic_id, PartitionMetadataFile(dir + "/" + kPartitionMetadataFile).read());
    std::unique_ptr<Log> log(new Log(dir, tp, std::make_unique<const LogConfig>(config),
                                     std::move(clock), std::move(*loaded.epoch_cache)));
    log->topic_id_ = std::move(topic_id);
    log->segments_ = std::move(loaded.segments);
    log->log_start_offset_ = loaded.log_start_offset;
    log->log_end_offset_ = loaded.log_end_offset;
    log->recovery_point_ = loaded.recovery_point;
    log->high_watermark_ = loaded.log_start_offset;
    log->last_flush_ms_ = now;
    SAMSA_TRY(log->rebuild_producer_state_locked());
    get_logger("log")->info("{}: loaded {} segment(s), log start offset {}, log end offset {}", tp,
                            log->segments_.size(), loaded.log_start_offset, loaded.log_end_offset);
    return log;
}

Log::~Log() {
    (void)close();
}

result<void> Log::check_open() const {
    if (closed_) {
        return Errc::log_closed;
    }
    return success();
}

const LogConfig& Log::config() const {
    return *config_.load(std::memory_order_acquire);
}

void Log::update_config(const LogConfig& config) {
    std::unique_lock lock(mu_);
    configs_.push_back(std::make_unique<const LogConfig>(config));
    config_.store(configs_.back().get(), std::memory_order_release);
}

void Log::set_roll_listener(std::function<void()> listener) {
    std::unique_lock lock(mu_);
    roll_listener_ = std::move(listener);
}

// ---- append -------------------------------------------------------------------------------

result<AppendInfo> Log::append_as_leader(std::span<uint8_t> batch, int32_t leader_epoch,
                                         AppendMode mode) {
    const LogConfig& config = this->config();
    int64_t now = clock_();
    SAMSA_TRY(ValidatedBatch v, validate_producer_batch(batch, config, now));

    result<AppendInfo> info = AppendInfo{};
    if (mode == AppendMode::non_blocking) {
        FastLock lock(mu_, /*exclusive=*/true);
        if (!lock.owns()) {
            return Errc::would_block;
        }
        info = append_as_leader_locked(batch, v, leader_epoch, now, mode);
        lock.unlock();
        if (info) {
            info.value().flush_due = flush_due(config);
        }
        return info;
    }
    std::unique_lock lock(mu_);
    info = append_as_leader_locked(batch, v, leader_epoch, now, mode);
    lock.unlock();
    if (info) {
        SAMSA_TRY(maybe_flush_after_append(config));
    }
    return info;
}

result<AppendInfo> Log::append_as_leader_locked(std::span<uint8_t> batch, const ValidatedBatch& v,
                                                int32_t leader_epoch, int64_t now,
                                                AppendMode mode) {
    SAMSA_TRY(check_open());
    const LogConfig& config = this->config();
    int64_t base = log_end_offset_;
    int64_t last = base + v.record_count - 1;
    const protocol::RecordBatchView view(batch.first(static_cast<size_t>(v.size)));
    if (view.has_producer_id()) {
        // A retried batch gets its first append's offsets and is not written again.
        SAMSA_TRY(auto duplicate, producer_state_.check(view));
        if (duplicate) {
            return duplicate_append_info(*duplicate, v, log_start_offset_);
        }
    }
    const bool roll = active_segment().should_roll(
        {config.segment_bytes, config.segment_ms, v.size, v.max_timestamp, last, now});
    // Decided before the batch is rewritten in place: a refused batch must still be the
    // producer's, so that the retry validates it again.
    if (mode == AppendMode::non_blocking && (roll || starts_new_epoch_locked(leader_epoch))) {
        return Errc::would_block;
    }
    assign_offsets_and_timestamps(batch, v, base, leader_epoch, now);
    const auto written = batch.first(static_cast<size_t>(v.size));
    if (roll) {
        SAMSA_TRY(roll_locked(base, now));
    }
    SAMSA_TRY(maybe_assign_epoch_start_offsets_locked(written));
    SAMSA_TRY(active_segment().append(written));
    log_end_offset_ = last + 1;
    producer_state_.update(protocol::RecordBatchView(written));

    AppendInfo info;
    info.first_offset = base;
    info.last_offset = last;
    info.log_append_time = v.log_append_time ? now : -1;
    info.log_start_offset = log_start_offset_;
    info.record_count = v.record_count;
    info.max_timestamp = v.max_timestamp;
    info.offset_of_max_timestamp = base + v.offset_delta_of_max_timestamp;
    info.valid_bytes = v.size;
    return info;
}

bool Log::starts_new_epoch_locked(int32_t leader_epoch) const {
    auto latest = epoch_cache_.latest_epoch();
    return leader_epoch >= 0 && (!latest || leader_epoch > *latest);
}

result<AppendInfo> Log::append_as_follower(std::span<const uint8_t> batches) {
    const LogConfig& config = this->config();
    int64_t now = clock_();
    std::unique_lock lock(mu_);
    SAMSA_TRY(check_open());
    SAMSA_TRY(ValidatedFollowerBatches v,
              validate_follower_batches(batches, config, log_end_offset_));
    AppendInfo info;
    info.log_start_offset = log_start_offset_;
    if (v.valid_bytes == 0) {
        return info;
    }
    SAMSA_TRY(LogSegment * segment, maybe_roll_locked(v.valid_bytes, v.max_timestamp,
                                                      v.first_offset, v.last_offset, now));
    auto valid = batches.first(static_cast<size_t>(v.valid_bytes));
    SAMSA_TRY(maybe_assign_epoch_start_offsets_locked(valid));
    SAMSA_TRY(segment->append(valid));
    log_end_offset_ = v.last_offset + 1;
    update_producer_state_locked(valid);
    info.first_offset = v.first_offset;
    info.last_offset = v.last_offset;
    info.record_count = v.record_count;
    info.max_timestamp = v.max_timestamp;
    info.offset_of_max_timestamp = v.offset_of_max_timestamp;
    info.valid_bytes = v.valid_bytes;
    lock.unlock();
    SAMSA_TRY(maybe_flush_after_append(config));
    return info;
}

// Kafka's maybeAssignEpochStartOffset per batch, before the write as in Kafka's Log.append.
result<void> Log::maybe_assign_epoch_start_offsets_locked(std::span<const uint8_t> batches) {
    protocol::RecordBatchIterator it(batches);
    while (auto batch = it.next()) {
        int32_t epoch = batch->partition_leader_epoch();
        auto latest = epoch_cache_.latest_epoch();
        if (epoch >= 0 && (!latest || epoch > *latest)) {
            SAMSA_TRY(epoch_cache_.assign(epoch, batch->base_offset()));
        }
    }
    return success();
}

bool Log::flush_due(const LogConfig& config) const {
    return log_end_offset_ - recovery_point_ >= config.flush_messages;
}

result<void> Log::maybe_flush_after_append(const LogConfig& config) {
    return flush_due(config) ? flush() : success();
}

// ---- roll ---------------------------------------------------------------------------------

result<LogSegment*> Log::maybe_roll_locked(int32_t messages_size, int64_t max_timestamp,
                                           int64_t first_offset, int64_t last_offset, int64_t now) {
    RollParams p{config().segment_bytes, config().segment_ms, messages_size,
                 max_timestamp,          last_offset,         now};
    if (active_segment().should_roll(p)) {
        SAMSA_TRY(roll_locked(first_offset, now));
    }
    return &active_segment();
}

result<void> Log::roll() {
    std::unique_lock lock(mu_);
    SAMSA_TRY(check_open());
    return roll_locked(log_end_offset_, clock_());
}

result<void> Log::roll_locked(int64_t new_base, int64_t now) {
    new_base = std::max(new_base, log_end_offset_.load());
    LogSegment& active = active_segment();
    if (active.base_offset() == new_base) {
        return success();  // the active segment is empty at this offset already (KAFKA-6388)
    }
    SAMSA_TRY(active.on_become_inactive());
    for (const auto* suffix : {&kLogFileSuffix, &kIndexFileSuffix, &kTimeIndexFileSuffix}) {
        std::error_code ec;
        fs::remove(dir_ + "/" + offset_file_name(new_base, *suffix), ec);  // stale leftovers
    }
    SAMSA_TRY(auto segment, LogSegment::open(dir_, new_base, segment_options(config(), now)));
    segments_.emplace(new_base, std::move(segment));
    rolled_flush_offset_ = new_base;
    take_producer_snapshot_locked(new_base);
    get_logger("log")->info("{}: rolled new log segment at offset {}", tp_, new_base);
    if (roll_listener_) {
        roll_listener_();
    }
    return success();
}

// ---- read ---------------------------------------------------------------------------------

int64_t Log::max_position_for(const SegmentMap::const_iterator& it, int64_t max_offset) const {
    auto next = std::next(it);
    int64_t segment_end = next == segments_.end() ? log_end_offset_.load() : next->first;
    if (max_offset >= segment_end) {
        return it->second->size();
    }
    auto found = it->second->translate_offset(max_offset);
    return found && found.value() ? found.value()->position : it->second->size();
}

result<FetchDataInfo> Log::read(int64_t start_offset, int32_t max_bytes, int64_t max_offset,
                                bool min_one_batch, ReadMode mode) const {
    if (mode == ReadMode::non_blocking) {
        FastLock lock(mu_, /*exclusive=*/false);
        if (!lock.owns()) {
            return Errc::would_block;
        }
        return read_locked(start_offset, max_bytes, max_offset, min_one_batch, mode);
    }
    std::shared_lock lock(mu_);
    return read_locked(start_offset, max_bytes, max_offset, min_one_batch, mode);
}

result<FetchDataInfo> Log::read_locked(int64_t start_offset, int32_t max_bytes, int64_t max_offset,
                                       bool min_one_batch, ReadMode mode) const {
    SAMSA_TRY(check_open());
    int64_t end = log_end_offset_;
    FetchDataInfo at_end;
    at_end.fetch_offset_metadata = {end, active_segment().base_offset(), active_segment().size()};
    if (start_offset == end) {
        return at_end;
    }
    if (start_offset < log_start_offset_ || start_offset > end) {
        return Errc::offset_out_of_range;
    }
    if (start_offset >= max_offset) {
        FetchDataInfo empty;
        empty.fetch_offset_metadata.message_offset = start_offset;
        return empty;
    }
    auto it = segments_.upper_bound(start_offset);
    if (it != segments_.begin()) {
        --it;
    }
    for (; it != segments_.end(); ++it) {
        int64_t max_position = max_position_for(it, max_offset);
        SAMSA_TRY(auto data,
                  it->second->read(start_offset, max_bytes, max_position, min_one_batch, mode));
        if (data) {
            return std::move(*data);
        }
    }
    return at_end;  // everything from start_offset on was deleted meanwhile
}

result<std::optional<TimestampAndOffset>> Log::fetch_offset_by_timestamp(int64_t timestamp) const {
    std::shared_lock lock(mu_);
    SAMSA_TRY(check_open());
    for (const auto& [base, segment] : segments_) {
        if (segment->max_timestamp_so_far() >= timestamp) {
            SAMSA_TRY(auto found, segment->find_offset_by_timestamp(timestamp, log_start_offset_));
            if (found) {
                return found;
            }
        }
    }
    return std::optional<TimestampAndOffset>();
}

// ---- offsets ------------------------------------------------------------------------------

int64_t Log::update_high_watermark(int64_t hw) {
    // No lock: a leader raises its HW after every append, from a network thread that must not
    // wait behind a writer the kernel is throttling. Unlocked is safe because what bounds the
    // clamp moves only in ways that keep it valid: the log start never passes the HW
    // (retention and DeleteRecords stop at it), and the end only goes back by truncation,
    // which lowers the HW itself under the lock (and is a follower's, never a leader's).
    int64_t clamped = std::max(log_start_offset_.load(), std::min(hw, log_end_offset_.load()));
    high_watermark_ = clamped;
    return clamped;
}

bool Log::raise_high_watermark(int64_t hw) {
    hw = std::min(hw, log_end_offset_.load());
    int64_t current = high_watermark_.load();
    while (hw > current) {
        if (high_watermark_.compare_exchange_weak(current, hw)) {
            return true;
        }
    }
    return false;
}

result<void> Log::maybe_increment_log_start_offset(int64_t new_start) {
    std::unique_lock lock(mu_);
    SAMSA_TRY(check_open());
    if (new_start > high_watermark_) {
        return Errc::offset_out_of_range;
    }
    if (new_start > log_start_offset_) {
        log_start_offset_ = new_start;
        producer_state_.truncate_head(new_start);
        SAMSA_TRY(epoch_cache_.truncate_from_start(new_start));
    }
    return success();
}

// ---- flush --------------------------------------------------------------------------------

namespace {

// Kafka's LogFlushStats.logFlushTimer (kafka.log:type=LogFlushStats,name=LogFlushRateAndTimeMs):
// the time a log's flush spends in fsync, failed or not.
class FlushTimer {
  public:
    FlushTimer() : start_(std::chrono::steady_clock::now()) {}
    ~FlushTimer() {
        static metrics::Histogram& h = metrics::registry().histogram(
            "kafka_log_logflushstats_logflushrateandtimems", "Time to fsync a log, in ms");
        h.observe_us(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                               std::chrono::steady_clock::now() - start_)
                                               .count()));
    }
    FlushTimer(const FlushTimer&) = delete;
    FlushTimer& operator=(const FlushTimer&) = delete;

  private:
    std::chrono::steady_clock::time_point start_;
};

}  // namespace

result<void> Log::flush() {
    return flush_up_to(log_end_offset_);
}

result<void> Log::flush_up_to(int64_t offset) {
    std::vector<std::shared_ptr<const FileHandle>> handles;
    uint64_t truncations = 0;
    {
        std::shared_lock lock(mu_);
        SAMSA_TRY(check_open());
        offset = std::min(offset, log_end_offset_.load());
        int64_t from = recovery_point_;
        if (offset <= from) {
            return success();
        }
        auto it = segments_.upper_bound(from);
        if (it != segments_.begin()) {
            --it;
        }
        for (; it != segments_.end() && it->first < offset; ++it) {
            SAMSA_TRY(auto h, it->second->flush_handles());
            handles.insert(handles.end(), h.begin(), h.end());
        }
        truncations = truncations_;
    }
    {
        FlushTimer timer;
        for (const auto& h : handles) {
            SAMSA_TRY(fsync_fd(h->fd(), h->path()));
        }
    }
    std::unique_lock lock(mu_);
    if (truncations == truncations_ && offset > recovery_point_) {
        // Recovery will not look before the recovery point again: the epochs of what it passes
        // must be durable first (a new leader's entry is written unsynced).
        SAMSA_TRY(epoch_cache_.sync());
        recovery_point_ = offset;
    }
    last_flush_ms_ = clock_();
    return success();
}

result<void> Log::flush_rolled_segments() {
    int64_t offset = -1;
    {
        std::shared_lock lock(mu_);
        offset = rolled_flush_offset_;
    }
    return offset > recovery_point_ ? flush_up_to(offset) : success();
}

// ---- retention and truncation -------------------------------------------------------------

result<size_t> Log::delete_old_segments() {
    std::unique_lock lock(mu_);
    SAMSA_TRY(check_open());
    int64_t now = clock_();
    RetentionInput in{{}, log_end_offset_, high_watermark_, log_start_offset_, now};
    for (const auto& [base, segment] : segments_) {
        in.segments.push_back({base, segment->size(), segment->largest_timestamp()});
    }
    RetentionDecision d = find_deletable_segments(in, config());
    if (d.count > 0) {
        SAMSA_TRY(delete_segments_locked(d.count, d.reason, now));
    }
    return d.count;
}

result<void> Log::delete_segments_locked(size_t count, const std::string& reason, int64_t now) {
    if (count == segments_.size()) {
        SAMSA_TRY(roll_locked(log_end_offset_, now));  // a log always keeps one segment
    }
    auto last = std::next(segments_.begin(), static_cast<std::ptrdiff_t>(count));
    get_logger("log")->info("{}: deleting segments [{}, {}) by retention: {}", tp_,
                            segments_.begin()->first, last->first, reason);
    // The start offset moves before the files go, and whatever their removal reports: a
    // reader that no longer finds the old segments must not be told they are still the start
    // (ListOffsets answered 0 after the files were gone when a rename failed).
    log_start_offset_ = std::max(log_start_offset_.load(), last->first);
    if (high_watermark_ < log_start_offset_) {
        high_watermark_ = log_start_offset_.load();
    }
    producer_state_.truncate_head(log_start_offset_);
    auto removed = remove_and_delete_locked(segments_.begin(), last, now);
    auto truncated = epoch_cache_.truncate_from_start(log_start_offset_);
    return removed ? truncated : removed;
}

result<void> Log::remove_and_delete_locked(SegmentMap::iterator first, SegmentMap::iterator last,
                                           int64_t now) {
    std::vector<std::unique_ptr<LogSegment>> removed;
    ++removals_;
    for (auto it = first; it != last; ++it) {
        removed.push_back(std::move(it->second));
    }
    segments_.erase(first, last);
    std::error_code error;
    for (auto& segment : removed) {
        if (auto r = segment->change_file_suffixes(kDeletedFileSuffix); !r && !error) {
            error = r.error();
        }
        pending_deletions_.push_back({std::move(segment), now + config().file_delete_delay_ms});
    }
    if (config().file_delete_delay_ms == 0) {
        purge_locked(now, false);
    }
    return error ? result<void>(error) : success();
}

void Log::purge_deleted_segments(bool all) {
    std::unique_lock lock(mu_);
    purge_locked(clock_(), all);
}

void Log::purge_locked(int64_t now, bool all) {
    std::erase_if(pending_deletions_, [&](PendingDeletion& p) {
        if (!all && p.due_ms > now) {
            return false;
        }
        (void)p.segment->delete_files();  // failures are logged; the files go at next load
        return true;
    });
}

result<bool> Log::truncate_to(int64_t offset) {
    if (offset < 0) {
        return Errc::offset_out_of_range;
    }
    std::unique_lock lock(mu_);
    SAMSA_TRY(check_open());
    if (offset >= log_end_offset_) {
        // Nothing to remove, but an epoch this replica started as leader without writing
        // anything may still end the cache at the LEO (Kafka 2.8's truncateTo does the same).
        SAMSA_TRY(epoch_cache_.truncate_from_end(log_end_offset_));
        return false;
    }
    int64_t now = clock_();
    get_logger("log")->info("{}: truncating to offset {} (log end offset {})", tp_, offset,
                            log_end_offset_.load());
    if (offset < segments_.begin()->first) {
        SAMSA_TRY(truncate_fully_locked(offset, now));
        return true;
    }
    SAMSA_TRY(remove_and_delete_locked(segments_.upper_bound(offset), segments_.end(), now));
    SAMSA_TRY(active_segment().truncate_to(offset, now));
    SAMSA_TRY(int64_t end, active_segment().read_next_offset());
    log_end_offset_ = end;
    recovery_point_ = std::min(recovery_point_.load(), end);
    high_watermark_ = std::min(high_watermark_.load(), end);
    log_start_offset_ = std::min(log_start_offset_.load(), offset);
    ++truncations_;
    // The new LEO, not `offset`: a batch straddling `offset` went entirely.
    SAMSA_TRY(epoch_cache_.truncate_from_end(end));
    SAMSA_TRY(rebuild_producer_state_locked());
    return true;
}

result<void> Log::truncate_fully_and_start_at(int64_t new_offset) {
    if (new_offset < 0) {
        return Errc::offset_out_of_range;
    }
    std::unique_lock lock(mu_);
    SAMSA_TRY(check_open());
    get_logger("log")->info("{}: truncating fully and starting at offset {}", tp_, new_offset);
    return truncate_fully_locked(new_offset, clock_());
}

result<void> Log::truncate_fully_locked(int64_t new_offset, int64_t now) {
    SAMSA_TRY(remove_and_delete_locked(segments_.begin(), segments_.end(), now));
    SAMSA_TRY(auto segment, LogSegment::open(dir_, new_offset, segment_options(config(), now)));
    segments_.emplace(new_offset, std::move(segment));
    log_end_offset_ = new_offset;
    log_start_offset_ = new_offset;
    high_watermark_ = new_offset;
    recovery_point_ = std::min(recovery_point_.load(), new_offset);
    rolled_flush_offset_ = -1;
    ++truncations_;
    producer_state_.reset(new_offset);
    return epoch_cache_.clear();
}

// ---- leader epochs and topic id -----------------------------------------------------------

std::optional<int32_t> Log::latest_epoch() const {
    std::shared_lock lock(mu_);
    return epoch_cache_.latest_epoch();
}

EpochEndOffset Log::end_offset_for_epoch(int32_t epoch) const {
    std::shared_lock lock(mu_);
    return epoch_cache_.end_offset_for(epoch, log_end_offset_);
}

std::optional<int32_t> Log::epoch_for_offset(int64_t offset) const {
    std::shared_lock lock(mu_);
    return epoch_cache_.epoch_for_offset(offset);
}

result<void> Log::assign_epoch_start_offset(int32_t epoch, int64_t start_offset) {
    std::unique_lock lock(mu_);
    SAMSA_TRY(check_open());
    return epoch_cache_.assign(epoch, start_offset, /*sync=*/false);
}

std::vector<EpochEntry> Log::epoch_entries() const {
    std::shared_lock lock(mu_);
    return epoch_cache_.entries();
}

std::optional<std::string> Log::topic_id() const {
    std::shared_lock lock(mu_);
    return topic_id_;
}

result<void> Log::set_topic_id(const std::string& topic_id) {
    std::unique_lock lock(mu_);
    SAMSA_TRY(check_open());
    SAMSA_TRY(PartitionMetadataFile(dir_ + "/" + kPartitionMetadataFile).write(topic_id));
    topic_id_ = topic_id;
    return success();
}

// ---- misc ---------------------------------------------------------------------------------

int64_t Log::size_in_bytes() const {
    std::shared_lock lock(mu_);
    int64_t total = 0;
    for (const auto& [base, segment] : segments_) {
        total += segment->size();
    }
    return total;
}

size_t Log::number_of_segments() const {
    std::shared_lock lock(mu_);
    return segments_.size();
}

int64_t Log::first_segment_base_offset() const {
    std::shared_lock lock(mu_);
    return segments_.empty() ? 0 : segments_.begin()->first;
}

result<void> Log::close() {
    std::unique_lock lock(mu_);
    if (closed_) {
        return success();
    }
    closed_ = true;
    purge_locked(0, true);
    take_producer_snapshot_locked(log_end_offset_);
    std::error_code error;
    if (auto r = epoch_cache_.sync(); !r) {
        error = r.error();
    }
    for (auto& [base, segment] : segments_) {
        if (auto r = segment->close(); !r && !error) {
            error = r.error();
        }
    }
    return error ? result<void>(error) : success();
}

result<void> Log::rename_dir(const std::string& new_dir) {
    std::unique_lock lock(mu_);
    std::error_code ec;
    fs::rename(dir_, new_dir, ec);
    if (ec) {
        get_logger("log")->error("cannot rename {} to {}: {}", dir_, new_dir, ec.message());
        return Errc::storage_error;
    }
    dir_ = new_dir;
    producer_state_.set_dir(dir_);
    epoch_cache_.set_path(dir_ + "/" + kLeaderEpochCheckpointFile);
    return success();
}

}  // namespace samsa::log
