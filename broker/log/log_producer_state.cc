// The Log's half of idempotent-producer state: rebuilding it from snapshots and segments,
// feeding it appended batches, snapshots (producer_state_manager.h has the state itself).

#include "broker/log/log.h"
#include "broker/protocol/record_batch.h"
#include "common/logging.h"

#include <algorithm>

namespace samsa::log {

result<void> Log::rebuild_producer_state_locked() {
    const int64_t end = log_end_offset_;
    SAMSA_TRY(auto snapshot, producer_state_.load_latest_snapshot(end));
    // Snapshots below the log start may describe producers whose batches are gone; the
    // replay below and truncate_head() reconcile them with what is on disk.
    const int64_t from =
        std::max(snapshot.value_or(log_start_offset_.load()), log_start_offset_.load());
    producer_state_.set_map_end_offset(from);
    size_t replayed = 0;
    for (auto it = segments_.begin(); it != segments_.end(); ++it) {
        auto next = std::next(it);
        if (next != segments_.end() && next->first <= from) {
            continue;  // wholly below `from`
        }
        SAMSA_TRY(it->second->log().scan_full_headers(
            0, [&](const protocol::RecordBatchView& header, const BatchPosition& b) {
                if (b.last_offset >= from && b.base_offset < end) {
                    producer_state_.update(header);
                    ++replayed;
                }
                return true;
            }));
    }
    producer_state_.truncate_head(log_start_offset_);
    producer_state_.set_map_end_offset(end);
    if (replayed > 0 || snapshot) {
        get_logger("log")->info(
            "{}: producer state of {} producer(s) from {} and {} batch(es) replayed", tp_,
            producer_state_.producer_count(),
            snapshot ? "the snapshot at offset " + std::to_string(*snapshot) : "no snapshot",
            replayed);
    }
    return success();
}

void Log::update_producer_state_locked(std::span<const uint8_t> batches) {
    protocol::RecordBatchIterator it(batches);
    while (auto batch = it.next()) {
        producer_state_.update(*batch);
    }
}

void Log::take_producer_snapshot_locked(int64_t offset) {
    producer_state_.set_map_end_offset(offset);
    // Kafka's takeSnapshot: only once the state has moved past the latest snapshot (with none,
    // past the log start). An empty log, as every new partition is, gets no file: closing
    // 10,000 of them wrote and fsynced 10,000 snapshots that said nothing.
    const auto taken = producer_state_.snapshot_offsets();
    if (offset <= (taken.empty() ? log_start_offset_.load() : taken.back())) {
        return;
    }
    if (auto r = producer_state_.take_snapshot(); !r) {
        get_logger("log")->warn("{}: cannot write the producer state snapshot at offset {}: {}",
                                tp_, offset, r.error().message());
    }
}

std::optional<ProducerStateEntry> Log::producer_state(int64_t producer_id) const {
    std::shared_lock lock(mu_);
    const ProducerStateEntry* e = producer_state_.entry(producer_id);
    return e ? std::optional<ProducerStateEntry>(*e) : std::nullopt;
}

size_t Log::producer_count() const {
    std::shared_lock lock(mu_);
    return producer_state_.producer_count();
}

size_t Log::expire_producers(int64_t max_idle_ms) {
    std::unique_lock lock(mu_);
    return producer_state_.expire(clock_(), max_idle_ms);
}

}  // namespace samsa::log
