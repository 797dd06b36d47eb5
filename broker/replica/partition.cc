#include "broker/replica/partition.h"

#include "broker/log/clock.h"
#include "broker/log/errc.h"
#include "broker/protocol/error_code.h"
#include "common/logging.h"

#include <fmt/ranges.h>

#include <algorithm>

namespace samsa::replica {

namespace {

using protocol::ErrorCode;

auto& logger() {
    static auto l = get_logger("partition");
    return *l;
}

bool contains(const std::vector<int32_t>& v, int32_t x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

constexpr int64_t kEarliestTimestamp = -2;
constexpr int64_t kLatestTimestamp = -1;

}  // namespace

Partition::Partition(TopicPartition tp, int32_t local_broker_id, std::shared_ptr<log::Log> log)
    : tp_(std::move(tp)),
      local_broker_id_(local_broker_id),
      log_(std::move(log)),
      stats_(topic_stats(tp_.topic)) {}

bool Partition::is_newer(const PartitionRole& role) const {
    return role.leader_epoch > leader_epoch_;
}

bool Partition::make_leader(const PartitionRole& role) {
    return make_leader(role, log::system_now_ms());
}

bool Partition::make_leader(const PartitionRole& role, int64_t now_ms) {
    {
        std::unique_lock lock(leader_isr_lock_);
        if (!is_newer(role)) {
            return false;
        }
        const bool is_new_leader = leader_ != local_broker_id_;
        leader_ = local_broker_id_;
        leader_epoch_ = role.leader_epoch;
        controller_epoch_ = role.controller_epoch;
        zk_version_ = role.zk_version;
        replicas_ = role.replicas;
        isr_ = role.isr;
        // Kafka's makeLeader step 3: the new epoch starts at our LEO, so OffsetsForLeaderEpoch
        // can tell followers where the previous epochs ended (KIP-101). Appends cannot move
        // the LEO meanwhile: they hold leader_isr_lock_ shared.
        int64_t epoch_start = log_->log_end_offset();
        leader_epoch_start_offset_ = epoch_start;
        {
            // ISR members count as caught up now, so they are not shrunk away before their
            // first fetch; the others must catch up first. A new leader knows nothing yet of
            // where its followers are (Kafka resets the remote replicas' state likewise).
            std::lock_guard remote(remote_mu_);
            std::map<int32_t, FollowerState> followers;
            for (int32_t replica : replicas_) {
                if (replica == local_broker_id_) {
                    continue;
                }
                FollowerState f;
                // An ISR member keeps its known position; anyone else must fetch in this epoch
                // before it may join (a queued expansion from a fetch in the old epoch, or
                // from a broker the controller just took out, must not bring it back).
                auto it = followers_.find(replica);
                if (!is_new_leader && it != followers_.end() && contains(isr_, replica)) {
                    f.log_end_offset = it->second.log_end_offset;
                }
                f.last_caught_up_ms = contains(isr_, replica) ? now_ms : 0;
                f.last_fetch_leader_log_end_offset = epoch_start;
                f.last_fetch_ms = now_ms;
                followers[replica] = f;
            }
            followers_ = std::move(followers);
        }
        if (auto assigned = log_->assign_epoch_start_offset(leader_epoch_, epoch_start);
            !assigned) {
            logger().error("{}: cannot record leader epoch {} starting at offset {}: {}", tp_,
                           leader_epoch_, epoch_start, assigned.error().message());
        }
        maybe_increment_high_watermark();
        logger().info("{}: leader at epoch {}, ISR [{}], log end offset {}, high watermark {}", tp_,
                      leader_epoch_, fmt::join(isr_, ","), log_->log_end_offset(),
                      log_->high_watermark());
    }
    watchers_.notify_all();
    return true;
}

bool Partition::make_follower(const PartitionRole& role) {
    {
        std::unique_lock lock(leader_isr_lock_);
        if (!is_newer(role)) {
            return false;
        }
        leader_ = role.leader >= 0 ? std::optional<int32_t>(role.leader) : std::nullopt;
        leader_epoch_ = role.leader_epoch;
        controller_epoch_ = role.controller_epoch;
        zk_version_ = role.zk_version;
        replicas_ = role.replicas;
        isr_.clear();  // only the leader tracks the ISR
        leader_epoch_start_offset_ = -1;
        logger().info("{}: follower of broker {} at epoch {}", tp_, role.leader, leader_epoch_);
    }
    watchers_.notify_all();
    return true;
}

void Partition::stop() {
    {
        std::unique_lock lock(leader_isr_lock_);
        leader_.reset();
        isr_.clear();
    }
    watchers_.notify_all();
}

bool Partition::is_leader() const {
    std::shared_lock lock(leader_isr_lock_);
    return leader_ == local_broker_id_;
}

bool Partition::is_under_replicated() const {
    std::shared_lock lock(leader_isr_lock_);
    return leader_ == local_broker_id_ && isr_.size() < replicas_.size();
}

int32_t Partition::leader_epoch() const {
    std::shared_lock lock(leader_isr_lock_);
    return leader_epoch_;
}

int64_t Partition::high_watermark() const {
    return log_->high_watermark();
}

std::error_code Partition::check_leader_epoch(int32_t current_leader_epoch,
                                              bool require_leader) const {
    if (require_leader && leader_ != local_broker_id_) {
        return ErrorCode::not_leader_or_follower;
    }
    // KIP-320: a client that knows a newer or older epoch than ours must refresh first.
    if (current_leader_epoch >= 0) {
        if (current_leader_epoch < leader_epoch_) {
            return ErrorCode::fenced_leader_epoch;
        }
        if (current_leader_epoch > leader_epoch_) {
            return ErrorCode::unknown_leader_epoch;
        }
    }
    return {};
}

result<log::AppendInfo> Partition::append_records_to_leader(std::span<uint8_t> records,
                                                            int16_t required_acks,
                                                            int32_t min_insync_replicas,
                                                            log::AppendMode mode) {
    result<log::AppendInfo> appended = std::error_code(ErrorCode::not_leader_or_follower);
    {
        std::shared_lock lock(leader_isr_lock_, std::defer_lock);
        if (mode == log::AppendMode::may_block) {
            lock.lock();
        } else if (!lock.try_lock()) {
            // A role change holds the lock (and may be writing the epoch file): not worth a
            // network thread's wait.
            return log::Errc::would_block;
        }
        if (leader_ != local_broker_id_) {
            return ErrorCode::not_leader_or_follower;
        }
        // Checked before the append, so a rejected acks=all produce writes nothing.
        if (required_acks == -1 && static_cast<int32_t>(isr_.size()) < min_insync_replicas) {
            return ErrorCode::not_enough_replicas;
        }
        appended = log_->append_as_leader(records, leader_epoch_, mode);
        if (!appended) {
            return appended;
        }
        maybe_increment_high_watermark();
    }
    watchers_.notify_all();
    return appended;
}

result<bool> Partition::is_replicated(int64_t offset, int32_t min_insync_replicas) const {
    std::shared_lock lock(leader_isr_lock_);
    if (leader_ != local_broker_id_) {
        return ErrorCode::not_leader_or_follower;
    }
    if (log_->high_watermark() <= offset) {
        return false;
    }
    // The ISR shrank below min.insync.replicas after the append was accepted: the records
    // are committed by the smaller ISR, but not as durably as the producer asked.
    if (static_cast<int32_t>(isr_.size()) < min_insync_replicas) {
        return ErrorCode::not_enough_replicas_after_append;
    }
    return true;
}

// ---- leader side of replication ----

result<bool> Partition::update_follower_fetch_state(int32_t replica, int64_t fetch_offset,
                                                    int64_t now_ms, int32_t current_leader_epoch) {
    bool hw_moved = false;
    bool join_isr = false;
    {
        std::shared_lock lock(leader_isr_lock_);
        if (auto ec = check_leader_epoch(current_leader_epoch, true)) {
            return ec;
        }
        {
            std::lock_guard remote(remote_mu_);
            auto it = followers_.find(replica);
            if (it == followers_.end()) {
                return false;  // not an assigned replica (a reassignment in flight, say)
            }
            FollowerState& f = it->second;
            const int64_t leader_end = log_->log_end_offset();
            if (fetch_offset >= leader_end) {
                f.last_caught_up_ms = std::max(f.last_caught_up_ms, now_ms);
            } else if (fetch_offset >= f.last_fetch_leader_log_end_offset) {
                f.last_caught_up_ms = std::max(f.last_caught_up_ms, f.last_fetch_ms);
            }
            f.log_end_offset = fetch_offset;
            f.last_fetch_leader_log_end_offset = leader_end;
            f.last_fetch_ms = now_ms;
            join_isr = !contains(isr_, replica) && can_join_isr(f);
        }
        if (contains(isr_, replica)) {
            hw_moved = maybe_increment_high_watermark();
        }
    }
    if (hw_moved) {
        watchers_.notify_all();  // acks=all produces and consumers waiting for the HW
    }
    return join_isr;
}

bool Partition::can_join_isr(const FollowerState& f) const {
    // Kafka's isFollowerInSync: at or past the HW, and past the start of this leader's epoch
    // (so a follower that has not yet fetched anything written in this epoch does not count).
    return f.log_end_offset >= log_->high_watermark() &&
           f.log_end_offset >= leader_epoch_start_offset_;
}

IsrChange Partition::isr_change(std::vector<int32_t> isr) const {
    IsrChange change;
    change.tp = tp_;
    change.leader = local_broker_id_;
    change.leader_epoch = leader_epoch_;
    change.controller_epoch = controller_epoch_;
    change.zk_version = zk_version_;
    change.isr = std::move(isr);
    return change;
}

std::optional<IsrChange> Partition::propose_isr_expand() const {
    std::shared_lock lock(leader_isr_lock_);
    if (leader_ != local_broker_id_) {
        return std::nullopt;
    }
    std::vector<int32_t> isr = isr_;
    std::lock_guard remote(remote_mu_);
    // In assignment order, as Kafka's controller writes ISRs.
    for (int32_t replica : replicas_) {
        auto it = followers_.find(replica);
        if (it != followers_.end() && !contains(isr, replica) && can_join_isr(it->second)) {
            isr.push_back(replica);
        }
    }
    if (isr.size() == isr_.size()) {
        return std::nullopt;
    }
    return isr_change(std::move(isr));
}

std::optional<IsrChange> Partition::propose_isr_shrink(int64_t now_ms, int64_t max_lag_ms) const {
    std::shared_lock lock(leader_isr_lock_);
    if (leader_ != local_broker_id_) {
        return std::nullopt;
    }
    std::vector<int32_t> isr;
    std::lock_guard remote(remote_mu_);
    for (int32_t replica : isr_) {
        auto it = followers_.find(replica);
        bool lagging = replica != local_broker_id_ && it != followers_.end() &&
                       now_ms - it->second.last_caught_up_ms > max_lag_ms;
        if (lagging) {
            logger().info(
                "{}: follower {} has not caught up for {} ms (log end offset {}, "
                "ours {}); shrinking the ISR",
                tp_, replica, now_ms - it->second.last_caught_up_ms, it->second.log_end_offset,
                log_->log_end_offset());
        } else {
            isr.push_back(replica);
        }
    }
    if (isr.size() == isr_.size()) {
        return std::nullopt;
    }
    return isr_change(std::move(isr));
}

bool Partition::apply_isr_change(const IsrChange& change, int32_t new_zk_version) {
    bool hw_moved = false;
    {
        std::unique_lock lock(leader_isr_lock_);
        if (leader_ != local_broker_id_ || leader_epoch_ != change.leader_epoch ||
            zk_version_ != change.zk_version) {
            return false;  // a LeaderAndIsr came in between: the controller's state wins
        }
        logger().info("{}: ISR [{}] -> [{}] (leader epoch {}, zkVersion {})", tp_,
                      fmt::join(isr_, ","), fmt::join(change.isr, ","), leader_epoch_,
                      new_zk_version);
        isr_ = change.isr;
        zk_version_ = new_zk_version;
        hw_moved = maybe_increment_high_watermark();
    }
    // Waiters re-check: the HW may have moved (a shrink), and acks=all produces check the ISR
    // against min.insync.replicas.
    watchers_.notify_all();
    (void)hw_moved;
    return true;
}

std::vector<int32_t> Partition::in_sync_replicas() const {
    std::shared_lock lock(leader_isr_lock_);
    return isr_;
}

// ---- follower side of replication ----

std::error_code Partition::check_follower_epoch(int32_t leader_epoch) const {
    if (leader_ == local_broker_id_ || !leader_) {
        return ErrorCode::not_leader_or_follower;
    }
    if (leader_epoch != leader_epoch_) {
        return ErrorCode::fenced_leader_epoch;
    }
    return {};
}

result<log::AppendInfo> Partition::append_records_to_follower(std::span<const uint8_t> batches,
                                                              int32_t leader_epoch) {
    result<log::AppendInfo> appended = std::error_code(ErrorCode::not_leader_or_follower);
    {
        std::shared_lock lock(leader_isr_lock_);
        if (auto ec = check_follower_epoch(leader_epoch)) {
            return ec;
        }
        appended = log_->append_as_follower(batches);
    }
    watchers_.notify_all();
    return appended;
}

void Partition::update_follower_offsets(int32_t leader_epoch, int64_t leader_high_watermark,
                                        int64_t leader_log_start_offset) {
    {
        std::shared_lock lock(leader_isr_lock_);
        if (check_follower_epoch(leader_epoch)) {
            return;
        }
        // Kafka's follower HW: the leader's, but never above what we have.
        log_->update_high_watermark(std::min(leader_high_watermark, log_->log_end_offset()));
        if (leader_log_start_offset > log_->log_start_offset() &&
            leader_log_start_offset <= log_->high_watermark()) {
            if (auto moved = log_->maybe_increment_log_start_offset(leader_log_start_offset);
                !moved) {
                logger().warn("{}: cannot move the log start to the leader's {}: {}", tp_,
                              leader_log_start_offset, moved.error().message());
            }
        }
    }
    watchers_.notify_all();
}

result<bool> Partition::truncate_to(int64_t offset, int32_t leader_epoch) {
    std::shared_lock lock(leader_isr_lock_);
    if (auto ec = check_follower_epoch(leader_epoch)) {
        return ec;
    }
    return log_->truncate_to(offset);
}

result<void> Partition::truncate_fully_and_start_at(int64_t offset, int32_t leader_epoch) {
    std::shared_lock lock(leader_isr_lock_);
    if (auto ec = check_follower_epoch(leader_epoch)) {
        return ec;
    }
    return log_->truncate_fully_and_start_at(offset);
}

std::optional<int32_t> Partition::leader_id() const {
    std::shared_lock lock(leader_isr_lock_);
    return leader_;
}

bool Partition::maybe_increment_high_watermark() {
    if (leader_ != local_broker_id_) {
        return false;
    }
    // The leader alone in the ISR: the HW is its log end, and raising it needs no lock
    // (appends from several network threads race here; the raise only ever moves it up).
    if (isr_.size() <= 1) {
        return log_->raise_high_watermark(log_->log_end_offset());
    }
    std::lock_guard remote(remote_mu_);
    int64_t candidate = log_->log_end_offset();
    for (int32_t replica : isr_) {
        if (replica == local_broker_id_) {
            continue;
        }
        auto it = followers_.find(replica);
        // A follower we have not heard from since becoming leader holds the HW where it is.
        int64_t follower_end = it == followers_.end() ? -1 : it->second.log_end_offset;
        candidate = std::min(candidate, follower_end);
    }
    return log_->raise_high_watermark(candidate);
}

int64_t Partition::offset_bound(FetchIsolation isolation) const {
    switch (isolation) {
        case FetchIsolation::log_end:
            return log_->log_end_offset();
        case FetchIsolation::high_watermark:
        case FetchIsolation::txn_committed:
            return log_->high_watermark();
    }
    return log_->high_watermark();
}

result<PartitionRead> Partition::read(int64_t fetch_offset, int32_t max_bytes,
                                      int32_t current_leader_epoch, FetchIsolation isolation,
                                      bool min_one_batch, bool fetch_only_from_leader,
                                      log::ReadMode mode, int32_t last_fetched_epoch) const {
    std::shared_lock lock(leader_isr_lock_, std::defer_lock);
    if (mode == log::ReadMode::may_block) {
        lock.lock();
    } else if (!lock.try_lock()) {
        return log::Errc::would_block;  // a role change holds it
    }
    if (auto ec = check_leader_epoch(current_leader_epoch, fetch_only_from_leader)) {
        return ec;
    }
    PartitionRead out;
    out.high_watermark = log_->high_watermark();
    out.last_stable_offset = out.high_watermark;  // no transactions yet: LSO == HW
    out.log_start_offset = log_->log_start_offset();
    out.log_end_offset = log_->log_end_offset();
    if (last_fetched_epoch >= 0) {
        // Kafka's Partition.readRecords with a lastFetchedEpoch: the fetcher's last epoch ends
        // here before its fetch offset, or this log only knows a lower one, so the logs
        // diverge there and the fetcher truncates to it (no OffsetsForLeaderEpoch round trip).
        const log::EpochEndOffset end = log_->end_offset_for_epoch(last_fetched_epoch);
        if (end.epoch == log::kUndefinedEpoch || end.end_offset == log::kUndefinedEpochOffset ||
            fetch_offset < out.log_start_offset) {
            return ErrorCode::offset_out_of_range;
        }
        if (end.epoch < last_fetched_epoch || end.end_offset < fetch_offset) {
            out.diverging_epoch = end;
            return out;
        }
    }
    auto data = log_->read(fetch_offset, max_bytes, offset_bound(isolation), min_one_batch, mode);
    if (!data) {
        return data.error();
    }
    out.records = std::move(data.value().records);
    return out;
}

result<OffsetLookup> Partition::fetch_offset_for_timestamp(int64_t timestamp,
                                                           int32_t current_leader_epoch,
                                                           FetchIsolation isolation) const {
    std::shared_lock lock(leader_isr_lock_);
    if (auto ec = check_leader_epoch(current_leader_epoch, true)) {
        return ec;
    }
    OffsetLookup out;
    out.leader_epoch = leader_epoch_;
    const int64_t bound = offset_bound(isolation);
    // Kafka's fetchOffsetForTimestamp: right after an election the new leader's HW can lag the
    // offset its epoch began at, until the followers fetch again. Until then a client's
    // "latest" would go backwards, so it is told to retry (OFFSET_NOT_AVAILABLE); followers
    // read up to the log end offset and are always answered.
    const bool hw_lagging =
        isolation != FetchIsolation::log_end && leader_epoch_start_offset_ > log_->high_watermark();
    if (timestamp == kEarliestTimestamp) {
        out.offset = log_->log_start_offset();
        return out;
    }
    if (timestamp == kLatestTimestamp) {
        if (hw_lagging) {
            return ErrorCode::offset_not_available;
        }
        out.offset = bound;
        return out;
    }
    auto found = log_->fetch_offset_by_timestamp(timestamp);
    if (!found) {
        return found.error();
    }
    // An offset the caller may not read yet is as good as none (Kafka does the same).
    const auto& hit = found.value();
    if (hit && hit->offset < bound) {
        out.timestamp = hit->timestamp;
        out.offset = hit->offset;
        out.leader_epoch = hit->leader_epoch.value_or(-1);
    } else if (hw_lagging) {
        return ErrorCode::offset_not_available;
    } else {
        out.leader_epoch = -1;
    }
    return out;
}

result<log::EpochEndOffset> Partition::last_offset_for_leader_epoch(
    int32_t current_leader_epoch, int32_t leader_epoch, bool fetch_only_from_leader) const {
    std::shared_lock lock(leader_isr_lock_);
    // Kafka's getLocalLog: the epoch check comes first, so a fenced caller learns it must
    // refresh its metadata even when it asked a follower.
    if (auto ec = check_leader_epoch(current_leader_epoch, false)) {
        return ec;
    }
    if (fetch_only_from_leader && leader_ != local_broker_id_) {
        return ErrorCode::not_leader_or_follower;
    }
    return log_->end_offset_for_epoch(leader_epoch);
}

}  // namespace samsa::replica
