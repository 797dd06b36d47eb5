// Log: the two calls the log cleaner makes (log_cleaner.h): a snapshot of the segments it may
// clean, and the swap of cleaned segments in place of old ones.
#include "broker/log/errc.h"
#include "broker/log/file_util.h"
#include "broker/log/log.h"
#include "common/logging.h"

#include <filesystem>
#include <mutex>
#include <sys/stat.h>

namespace samsa::log {

namespace {

int64_t mtime_ms(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return 0;
    }
    return int64_t{st.st_mtim.tv_sec} * 1000 + st.st_mtim.tv_nsec / 1000000;
}

}  // namespace

CleaningSnapshot Log::cleaning_snapshot() const {
    std::shared_lock lock(mu_);
    CleaningSnapshot s;
    s.active_base_offset = segments_.empty() ? 0 : segments_.rbegin()->first;
    s.log_start_offset = log_start_offset_;
    s.log_end_offset = log_end_offset_;
    s.high_watermark = high_watermark_;
    s.generation = removals_ + truncations_;
    if (closed_) {
        return s;
    }
    for (auto it = segments_.begin(); it != segments_.end() && std::next(it) != segments_.end();
         ++it) {
        const LogSegment& seg = *it->second;
        CleanableSegment c;
        c.base_offset = it->first;
        c.end_offset = std::next(it)->first;
        c.size = seg.size();
        c.offset_index_bytes = seg.offset_index().size_in_bytes();
        c.time_index_bytes = seg.time_index().size_in_bytes();
        c.largest_timestamp = seg.largest_timestamp();
        c.file = seg.log().handle();
        c.last_modified_ms = mtime_ms(c.file->fd());
        s.segments.push_back(std::move(c));
    }
    return s;
}

result<void> Log::replace_segments(std::vector<std::unique_ptr<LogSegment>> cleaned,
                                   const CleaningSnapshot& snapshot, int64_t first_base,
                                   int64_t end_base) {
    std::unique_lock lock(mu_);
    SAMSA_TRY(check_open());
    auto first = segments_.find(first_base);
    auto last = segments_.lower_bound(end_base);
    if (removals_ + truncations_ != snapshot.generation || first == segments_.end() ||
        last == segments_.end() || last->first != end_base) {
        // A segment went (retention, truncation) or the range is not what was cleaned: the
        // cleaned copy may hold records the log no longer has. Nothing was changed.
        return Errc::cleaning_aborted;
    }
    auto logger = get_logger("log");
    // 1. *.cleaned -> *.swap: from here on, recovery completes the swap.
    for (auto& seg : cleaned) {
        SAMSA_TRY(seg->change_file_suffixes(kSwapFileSuffix));
    }
    SAMSA_TRY(fsync_dir(dir_));
    // 2. The old segments leave the map (renamed *.deleted), the new ones take their place.
    int64_t now = clock_();
    SAMSA_TRY(remove_and_delete_locked(first, last, now));
    std::vector<LogSegment*> added;
    for (auto& seg : cleaned) {
        added.push_back(seg.get());
        int64_t base = seg->base_offset();
        segments_[base] = std::move(seg);
    }
    // 3. *.swap -> the plain names.
    for (LogSegment* seg : added) {
        SAMSA_TRY(seg->change_file_suffixes(""));
    }
    SAMSA_TRY(fsync_dir(dir_));
    logger->info("{}: replaced segments [{}, {}) by {} cleaned segment(s)", tp_, first_base,
                 end_base, added.size());
    return success();
}

}  // namespace samsa::log
