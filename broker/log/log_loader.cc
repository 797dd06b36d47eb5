#include "broker/log/log_loader.h"

#include "broker/log/file_util.h"
#include "common/logging.h"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <random>
#include <set>

namespace samsa::log {
namespace fs = std::filesystem;

SegmentOptions segment_options(const LogConfig& config, int64_t now_ms) {
    SegmentOptions o;
    o.index_interval_bytes = config.index_interval_bytes;
    o.max_index_bytes = config.segment_index_bytes;
    o.created_ms = now_ms;
    if (config.segment_jitter_ms > 0) {
        // Kafka: abs(random int) % min(jitter, segment.ms), so segments of many partitions
        // created together do not all roll at once.
        thread_local std::mt19937_64 rng{std::random_device{}()};
        o.roll_jitter_ms = static_cast<int64_t>(rng() >> 1) %
                           std::min(config.segment_jitter_ms, config.segment_ms);
    }
    return o;
}

namespace {

bool is_offset_name(const std::string& stem) {
    return stem.size() == 20 && stem.find_first_not_of("0123456789") == std::string::npos;
}

bool has_suffix(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Step 1; returns the base offsets of the .log files. A directory that cannot be listed (no
// descriptors left, I/O errors) is a storage error, not an exception.
result<std::set<int64_t>> clean_dir(const std::string& dir, const TopicPartition& tp) {
    auto logger = get_logger("log");
    std::set<int64_t> bases;
    std::vector<fs::path> indexes;
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
        const fs::directory_entry& entry = *it;
        std::string name = entry.path().filename().string();
        if (has_suffix(name, kDeletedFileSuffix) || has_suffix(name, kCleanedFileSuffix) ||
            (has_suffix(name, kSwapFileSuffix) &&
             !has_suffix(name, kLogFileSuffix + kSwapFileSuffix))) {
            // A *.swap index is rebuilt from its .log.swap; a *.cleaned file is a cleaning
            // pass that never reached the swap, whose old segments are all still here.
            logger->info("{}: deleting leftover file {}", tp, name);
            std::error_code ignored;  // deleted at the next load if not now
            fs::remove(entry.path(), ignored);
        } else if (entry.path().extension() == kLogFileSuffix &&
                   is_offset_name(entry.path().stem().string())) {
            bases.insert(std::stoll(entry.path().stem().string()));
        } else if (entry.path().extension() == kIndexFileSuffix ||
                   entry.path().extension() == kTimeIndexFileSuffix) {
            indexes.push_back(entry.path());
        }
    }
    if (ec) {
        errno = ec.value();
        return io_error("list", dir);
    }
    for (const auto& index : indexes) {
        std::string stem = index.stem().string();
        if (!is_offset_name(stem) || !bases.contains(std::stoll(stem))) {
            logger->warn("{}: deleting orphaned index {}", tp, index.filename().string());
            std::error_code ignored;  // deleted at the next load if not now
            fs::remove(index, ignored);
        }
    }
    return bases;
}

// Step 1b: completes the swaps a crash interrupted (Kafka's completeSwapOperations). A
// <base>.log.swap is a complete, flushed cleaned segment: its indexes are rebuilt, the old
// segments it replaces (bases in [base, its next offset), or base alone when it is empty) are
// deleted, then it loses its suffix.
result<void> complete_swaps(const LoadParams& p, std::set<int64_t>& bases) {
    auto logger = get_logger("log");
    std::vector<int64_t> swaps;
    std::error_code ec;
    for (fs::directory_iterator it(p.dir, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (has_suffix(name, kLogFileSuffix + kSwapFileSuffix)) {
            std::string stem = name.substr(0, 20);
            if (name.size() == 20 + kLogFileSuffix.size() + kSwapFileSuffix.size() &&
                is_offset_name(stem)) {
                swaps.push_back(std::stoll(stem));
            }
        }
    }
    if (ec) {
        errno = ec.value();
        return io_error("list", p.dir);
    }
    std::sort(swaps.begin(), swaps.end());
    for (int64_t base : swaps) {
        SAMSA_TRY(auto seg, LogSegment::open(p.dir, base, segment_options(p.config, p.now_ms),
                                             kSwapFileSuffix));
        SAMSA_TRY(SegmentRecovery r, seg->recover());
        int64_t end = std::max(r.next_offset, base + 1);
        for (auto it = bases.lower_bound(base); it != bases.end() && *it < end;) {
            logger->info(
                "{}: completing an interrupted swap: segment {} replaced by the "
                "cleaned segment {}",
                p.tp, *it, base);
            for (const auto* type : {&kIndexFileSuffix, &kTimeIndexFileSuffix, &kLogFileSuffix}) {
                std::error_code removed;
                fs::remove(p.dir + "/" + offset_file_name(*it, *type), removed);
                if (removed) {
                    errno = removed.value();
                    return io_error("delete", p.dir + "/" + offset_file_name(*it, *type));
                }
            }
            it = bases.erase(it);
        }
        SAMSA_TRY(seg->on_become_inactive());
        SAMSA_TRY(seg->flush());
        SAMSA_TRY(seg->change_file_suffixes(""));
        SAMSA_TRY(seg->close());
        SAMSA_TRY(fsync_dir(p.dir));
        bases.insert(base);
        logger->info("{}: swap of cleaned segment {} completed", p.tp, base);
    }
    return success();
}

bool index_files_exist(const std::string& dir, int64_t base) {
    return fs::exists(dir + "/" + offset_file_name(base, kIndexFileSuffix)) &&
           fs::exists(dir + "/" + offset_file_name(base, kTimeIndexFileSuffix));
}

// After `seg` was recovered: each batch with a partitionLeaderEpoch newer than the cache's
// latest starts that epoch (Kafka's LogSegment.recover). Reads the headers in large chunks.
result<void> rebuild_epochs(const LogSegment& seg, LeaderEpochFileCache& cache) {
    constexpr int32_t kChunk = 64 * 1024;
    constexpr int32_t kHeader = protocol::kRecordBatchHeaderSize;
    const FileRecords& file = seg.log();
    std::vector<uint8_t> chunk;
    int32_t chunk_start = 0;
    for (int32_t pos = 0; pos + kHeader <= file.size();) {
        if (pos + kHeader > chunk_start + static_cast<int32_t>(chunk.size())) {
            SAMSA_TRY(chunk, file.read(pos, std::min(kChunk, file.size() - pos)));
            chunk_start = pos;
            if (chunk.size() < static_cast<size_t>(kHeader)) {
                break;
            }
        }
        auto at = static_cast<size_t>(pos - chunk_start);
        protocol::RecordBatchView header(std::span<const uint8_t>(chunk).subspan(at, kHeader));
        int32_t epoch = header.partition_leader_epoch();
        auto latest = cache.latest_epoch();
        if (epoch >= 0 && (!latest || epoch > *latest)) {
            SAMSA_TRY(cache.assign(epoch, header.base_offset()));
        }
        if (header.size_in_bytes() < kHeader) {
            break;  // recover() has cut the file before any such batch
        }
        pos += header.size_in_bytes();
    }
    return success();
}

// Step 3: recovers from the segment holding the recovery point; drops everything after the
// first corruption.
result<void> recover_unflushed(const LoadParams& p, LoadedLog& log,
                               const std::set<int64_t>& already_recovered) {
    auto logger = get_logger("log");
    auto it = log.segments.upper_bound(p.recovery_point);
    if (it != log.segments.begin()) {
        --it;
    }
    for (; it != log.segments.end(); ++it) {
        LogSegment& seg = *it->second;
        if (already_recovered.contains(seg.base_offset())) {
            continue;
        }
        SAMSA_TRY(SegmentRecovery r, seg.recover());
        SAMSA_TRY(rebuild_epochs(seg, *log.epoch_cache));
        if (r.truncated_bytes == 0) {
            continue;
        }
        logger->warn(
            "{}: recovery truncated segment {} at position {} after offset {}, "
            "dropping {} bytes: {}",
            p.tp, seg.base_offset(), r.valid_bytes, r.next_offset - 1, r.truncated_bytes, r.reason);
        for (auto later = std::next(it); later != log.segments.end();) {
            logger->warn("{}: recovery deletes later segment {} ({} bytes)", p.tp, later->first,
                         later->second->size());
            SAMSA_TRY(later->second->delete_files());
            later = log.segments.erase(later);
        }
        break;
    }
    return success();
}

result<void> start_empty_at(const LoadParams& p, LoadedLog& log, int64_t base) {
    for (auto& [offset, seg] : log.segments) {
        SAMSA_TRY(seg->delete_files());
    }
    log.segments.clear();
    SAMSA_TRY(auto seg, LogSegment::open(p.dir, base, segment_options(p.config, p.now_ms)));
    log.segments.emplace(base, std::move(seg));
    return success();
}

}  // namespace

result<LoadedLog> LogLoader::load(const LoadParams& p) {
    auto logger = get_logger("log");
    LoadedLog log;
    SAMSA_TRY(log.epoch_cache,
              LeaderEpochFileCache::load(p.dir + "/" + kLeaderEpochCheckpointFile, p.tp));
    std::set<int64_t> recovered;
    SAMSA_TRY(auto bases, clean_dir(p.dir, p.tp));
    SAMSA_TRY(complete_swaps(p, bases));
    for (int64_t base : bases) {
        bool had_indexes = index_files_exist(p.dir, base);
        SAMSA_TRY(auto seg, LogSegment::open(p.dir, base, segment_options(p.config, p.now_ms)));
        if (!had_indexes || !seg->indexes_look_sane()) {
            logger->warn("{}: {} index of segment {}, rebuilding it", p.tp,
                         had_indexes ? "corrupt" : "missing", base);
            SAMSA_TRY(SegmentRecovery r, seg->recover());
            if (r.truncated_bytes > 0) {
                logger->warn("{}: segment {} had {} invalid bytes after position {}: {}", p.tp,
                             base, r.truncated_bytes, r.valid_bytes, r.reason);
            }
            SAMSA_TRY(rebuild_epochs(*seg, *log.epoch_cache));
            recovered.insert(base);
        }
        log.segments.emplace(base, std::move(seg));
    }
    if (!p.had_clean_shutdown) {
        SAMSA_TRY(recover_unflushed(p, log, recovered));
    }
    if (log.segments.empty()) {
        SAMSA_TRY(start_empty_at(p, log, p.log_start_offset));
    }
    SAMSA_TRY(log.log_end_offset, log.segments.rbegin()->second->read_next_offset());
    if (log.log_end_offset < p.log_start_offset) {
        logger->warn("{}: log end offset {} below log start offset {}, deleting all segments", p.tp,
                     log.log_end_offset, p.log_start_offset);
        SAMSA_TRY(start_empty_at(p, log, p.log_start_offset));
        log.log_end_offset = p.log_start_offset;
    }
    for (auto it = log.segments.begin(); it != log.segments.end(); ++it) {
        if (std::next(it) == log.segments.end()) {
            SAMSA_TRY(it->second->resize_indexes(p.config.segment_index_bytes));
        } else {
            SAMSA_TRY(it->second->on_become_inactive());
        }
    }
    log.log_start_offset = std::max(p.log_start_offset, log.segments.begin()->first);
    log.recovery_point = log.log_end_offset;
    // Not synced here: these follow from the segments and the log start offset on disk, so a
    // crash before the next sync() (the recovery point's advance, or close) redoes them at the
    // next load. Synced, a restart paid two fsyncs per log whose leader had assigned an epoch at
    // its end offset (every empty partition): 10,000 partitions took seconds.
    SAMSA_TRY(log.epoch_cache->truncate_from_end(log.log_end_offset, /*sync=*/false));
    SAMSA_TRY(log.epoch_cache->truncate_from_start(log.log_start_offset, /*sync=*/false));
    return log;
}

}  // namespace samsa::log
