#include "broker/log/leader_epoch_file_cache.h"

#include "broker/log/checkpoint_format.h"
#include "common/logging.h"

#include <fmt/format.h>

#include <algorithm>

namespace samsa::log {
namespace {

constexpr int32_t kCheckpointVersion = 0;
constexpr std::string_view kEntryFormat = "epoch startOffset";

std::string describe(const std::vector<EpochEntry>& entries) {
    std::string out;
    for (const auto& e : entries) {
        out += fmt::format("{}({}, {})", out.empty() ? "" : " ", e.epoch, e.start_offset);
    }
    return "[" + out + "]";
}

}  // namespace

result<LeaderEpochFileCache> LeaderEpochFileCache::load(std::string path, TopicPartition tp) {
    LeaderEpochFileCache cache(std::move(path), std::move(tp));
    SAMSA_TRY(auto lines, read_checkpoint_lines(cache.path_, kCheckpointVersion, 2, kEntryFormat));
    for (size_t i = 0; i < lines.size(); ++i) {
        EpochEntry e;
        if (!parse_checkpoint_number(lines[i][0], e.epoch) ||
            !parse_checkpoint_number(lines[i][1], e.start_offset) || e.epoch < 0 ||
            e.start_offset < 0) {
            return checkpoint_malformed(
                cache.path_, i + 3,
                fmt::format("expected '{}', got '{} {}'", kEntryFormat, lines[i][0], lines[i][1]));
        }
        if (!cache.entries_.empty() && (e.epoch <= cache.entries_.back().epoch ||
                                        e.start_offset <= cache.entries_.back().start_offset)) {
            return checkpoint_malformed(cache.path_, i + 3, "epochs or offsets not increasing");
        }
        cache.entries_.push_back(e);
    }
    return cache;
}

result<void> LeaderEpochFileCache::flush(bool sync) {
    if (!sync) {
        unsynced_ = true;  // written by sync()
        return success();
    }
    std::vector<std::string> lines;
    lines.reserve(entries_.size());
    for (const auto& e : entries_) {
        lines.push_back(fmt::format("{} {}", e.epoch, e.start_offset));
    }
    SAMSA_TRY(write_checkpoint_lines(path_, kCheckpointVersion, lines));
    unsynced_ = false;
    return success();
}

result<void> LeaderEpochFileCache::sync() {
    return unsynced_ ? flush(true) : success();
}

result<void> LeaderEpochFileCache::assign(int32_t epoch, int64_t start_offset, bool sync) {
    if (epoch < 0 || start_offset < 0) {
        get_logger("log")->error("{}: invalid leader epoch entry ({}, {})", tp_, epoch,
                                 start_offset);
        return std::make_error_code(std::errc::invalid_argument);
    }
    if (!entries_.empty() && entries_.back().epoch == epoch &&
        entries_.back().start_offset <= start_offset) {
        return success();  // the epoch is known and started no later
    }
    // Kafka's maybeTruncateNonMonotonicEntries: entries are sorted on both keys, so the
    // conflicting ones form a suffix.
    auto first_removed = std::find_if(entries_.begin(), entries_.end(), [&](const EpochEntry& e) {
        return e.epoch >= epoch || e.start_offset >= start_offset;
    });
    std::vector<EpochEntry> removed(first_removed, entries_.end());
    entries_.erase(first_removed, entries_.end());
    entries_.push_back({epoch, start_offset});
    // Replacing one entry at the same offset is the expected case (an epoch bumped before
    // any data was written in it); anything else lost history.
    if (removed.size() > 1 || (removed.size() == 1 && removed[0].start_offset != start_offset)) {
        get_logger("log")->warn(
            "{}: new epoch entry ({}, {}) truncated conflicting entries {}; "
            "cache now holds {} entries",
            tp_, epoch, start_offset, describe(removed), entries_.size());
    }
    return flush(sync);
}

result<void> LeaderEpochFileCache::truncate_from_end(int64_t end_offset, bool sync) {
    if (end_offset < 0 || entries_.empty() || entries_.back().start_offset < end_offset) {
        return success();
    }
    auto first_removed = std::find_if(entries_.begin(), entries_.end(), [&](const EpochEntry& e) {
        return e.start_offset >= end_offset;
    });
    std::vector<EpochEntry> removed(first_removed, entries_.end());
    entries_.erase(first_removed, entries_.end());
    get_logger("log")->info("{}: removed leader epoch entries {} at and after offset {}", tp_,
                            describe(removed), end_offset);
    return flush(sync);
}

result<void> LeaderEpochFileCache::truncate_from_start(int64_t start_offset, bool sync) {
    auto first_kept = std::find_if(entries_.begin(), entries_.end(), [&](const EpochEntry& e) {
        return e.start_offset > start_offset;
    });
    if (first_kept == entries_.begin()) {
        return success();  // every epoch starts after the new log start
    }
    EpochEntry updated{std::prev(first_kept)->epoch, start_offset};
    if (first_kept == std::next(entries_.begin()) && entries_.front() == updated) {
        return success();  // the first epoch starts exactly at the new log start already
    }
    std::vector<EpochEntry> removed(entries_.begin(), first_kept);
    entries_.erase(entries_.begin(), first_kept);
    entries_.insert(entries_.begin(), updated);
    get_logger("log")->info(
        "{}: log start offset {}: leader epoch entries {} replaced by "
        "({}, {})",
        tp_, start_offset, describe(removed), updated.epoch, updated.start_offset);
    return flush(sync);
}

result<void> LeaderEpochFileCache::clear() {
    entries_.clear();
    return flush();
}

std::optional<int32_t> LeaderEpochFileCache::latest_epoch() const {
    return entries_.empty() ? std::nullopt : std::optional<int32_t>(entries_.back().epoch);
}

std::optional<EpochEntry> LeaderEpochFileCache::latest_entry() const {
    return entries_.empty() ? std::nullopt : std::optional<EpochEntry>(entries_.back());
}

EpochEndOffset LeaderEpochFileCache::end_offset_for(int32_t requested_epoch,
                                                    int64_t log_end_offset) const {
    if (requested_epoch == kUndefinedEpoch || entries_.empty()) {
        return {};
    }
    if (entries_.back().epoch == requested_epoch) {
        // The leader's current epoch, still being written to: it ends at the LEO.
        return {requested_epoch, log_end_offset};
    }
    auto higher =
        std::upper_bound(entries_.begin(), entries_.end(), requested_epoch,
                         [](int32_t epoch, const EpochEntry& e) { return epoch < e.epoch; });
    if (higher == entries_.end()) {
        return {};  // above every known epoch
    }
    if (higher == entries_.begin()) {
        // Below every known epoch: those records are gone from the log; the follower may
        // keep what precedes the first epoch we know.
        return {requested_epoch, higher->start_offset};
    }
    return {std::prev(higher)->epoch, higher->start_offset};
}

std::optional<int32_t> LeaderEpochFileCache::epoch_for_offset(int64_t offset) const {
    auto after =
        std::upper_bound(entries_.begin(), entries_.end(), offset,
                         [](int64_t o, const EpochEntry& e) { return o < e.start_offset; });
    if (after == entries_.begin()) {
        return std::nullopt;
    }
    return std::prev(after)->epoch;
}

}  // namespace samsa::log
