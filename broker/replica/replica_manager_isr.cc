// ReplicaManager, leader side of replication: follower fetch progress and the ISR thread
// (Kafka's ReplicaManager.updateFollowerFetchState, maybeShrinkIsr and the ISR change
// propagation). See replica_manager.h.

#include "broker/log/clock.h"
#include "broker/replica/replica_manager.h"
#include "common/logging.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>

namespace samsa::replica {

namespace {

auto& logger() {
    static auto l = get_logger("replica");
    return *l;
}

}  // namespace

result<void> ReplicaManager::update_follower_fetch_state(
    const std::shared_ptr<Partition>& partition, int32_t replica, int64_t fetch_offset,
    int32_t current_leader_epoch) {
    SAMSA_TRY(auto join_isr,
              partition->update_follower_fetch_state(replica, fetch_offset, log::system_now_ms(),
                                                     current_leader_epoch));
    if (join_isr) {
        {
            std::lock_guard lock(isr_mu_);
            pending_expansions_.push_back(partition);
        }
        isr_cv_.notify_all();
    }
    return success();
}

std::vector<std::shared_ptr<Partition>> ReplicaManager::all_partitions() const {
    std::vector<std::shared_ptr<Partition>> all;
    std::lock_guard lock(mu_);
    all.reserve(partitions_.size());
    for (const auto& [tp, p] : partitions_) {
        all.push_back(p);
    }
    return all;
}

void ReplicaManager::isr_loop() {
    // Kafka checks for lagging followers every replica.lag.time.max.ms / 2, so a follower is
    // out of the ISR between 1 and 1.5 times that after it stopped catching up.
    const auto shrink_interval =
        std::chrono::milliseconds(std::max<int64_t>(1, replication_.replica_lag_time_max_ms / 2));
    auto next_shrink = std::chrono::steady_clock::now() + shrink_interval;
    std::unique_lock lock(isr_mu_);
    while (!isr_stopping_) {
        isr_cv_.wait_until(lock, next_shrink,
                           [&] { return isr_stopping_ || !pending_expansions_.empty(); });
        if (isr_stopping_) {
            return;
        }
        lock.unlock();
        expand_pending_isrs();
        if (std::chrono::steady_clock::now() >= next_shrink) {
            maybe_shrink_isrs();
            next_shrink = std::chrono::steady_clock::now() + shrink_interval;
        }
        propagate_isr_changes();
        lock.lock();
    }
}

void ReplicaManager::expand_pending_isrs() {
    std::vector<std::weak_ptr<Partition>> pending;
    {
        std::lock_guard lock(isr_mu_);
        pending.swap(pending_expansions_);
    }
    for (const auto& weak : pending) {
        auto partition = weak.lock();
        if (!partition) {
            continue;
        }
        // Proposed again here, from the current state: several fetches may have queued the
        // same partition, and a LeaderAndIsr may have changed it since.
        if (auto change = partition->propose_isr_expand()) {
            write_isr_change(partition, *change, /*shrink=*/false);
        }
    }
}

void ReplicaManager::maybe_shrink_isrs() {
    const int64_t now = log::system_now_ms();
    for (const auto& partition : all_partitions()) {
        if (auto change =
                partition->propose_isr_shrink(now, replication_.replica_lag_time_max_ms)) {
            write_isr_change(partition, *change, /*shrink=*/true);
        }
    }
}

void ReplicaManager::write_isr_change(const std::shared_ptr<Partition>& partition,
                                      const IsrChange& change, bool shrink) {
    if (!replication_.write_isr) {
        return;  // no ZooKeeper (unit tests): the ISR stays as the controller set it
    }
    auto written = replication_.write_isr(change);
    if (!written) {
        // bad_version: the controller (or a newer leader) changed the state first. Kafka
        // then leaves the ISR alone and waits for the LeaderAndIsr that follows.
        logger().info(
            "{}: ISR change to [{}] not written ({}); waiting for the controller's "
            "state",
            change.tp, fmt::join(change.isr, ","), written.error().message());
        return;
    }
    if (partition->apply_isr_change(change, written.value())) {
        (shrink ? isr_shrinks_ : isr_expands_).add();
        isr_changes_.push_back(change.tp);
    }
}

void ReplicaManager::propagate_isr_changes() {
    if (isr_changes_.empty() || !replication_.propagate_isr_changes) {
        return;
    }
    std::sort(isr_changes_.begin(), isr_changes_.end());
    isr_changes_.erase(std::unique(isr_changes_.begin(), isr_changes_.end()), isr_changes_.end());
    if (auto r = replication_.propagate_isr_changes(isr_changes_); !r) {
        logger().warn("cannot write an ISR change notification for {} partitions: {}; retrying",
                      isr_changes_.size(), r.error().message());
        return;
    }
    isr_changes_.clear();
}

}  // namespace samsa::replica
