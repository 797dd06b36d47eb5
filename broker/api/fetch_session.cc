#include "broker/api/fetch_session.h"

#include <algorithm>
#include <limits>
#include <random>

namespace samsa::api {

using protocol::ErrorCode;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int32_t kInitialEpoch = 0;
constexpr int32_t kFinalEpoch = -1;

int32_t next_epoch(int32_t epoch) {
    return epoch == std::numeric_limits<int32_t>::max() ? 1 : epoch + 1;
}

}  // namespace

class FetchSession {
  public:
    FetchSession(int32_t id, bool privileged, const std::vector<FetchPartitionData>& parts)
        : id_(id), privileged_(privileged), last_used_(Clock::now()) {
        for (const auto& p : parts) {
            upsert(p);
        }
    }

    int32_t id() const { return id_; }
    bool privileged() const { return privileged_; }
    Clock::time_point last_used() const {
        std::lock_guard lock(mu_);
        return last_used_;
    }

    // Checks and advances the epoch, applies the request's changes, and returns every
    // partition to read. Errc: INVALID_FETCH_SESSION_EPOCH.
    ErrorCode update(int32_t epoch, const std::vector<FetchPartitionData>& changed,
                     const std::vector<TopicPartition>& forgotten,
                     std::vector<FetchPartitionData>& all) {
        std::lock_guard lock(mu_);
        if (epoch != next_epoch_) {
            return ErrorCode::invalid_fetch_session_epoch;
        }
        next_epoch_ = next_epoch(next_epoch_);
        last_used_ = Clock::now();
        for (const auto& tp : forgotten) {
            if (partitions_.erase(tp) > 0) {
                order_.erase(std::find(order_.begin(), order_.end(), tp));
            }
        }
        for (const auto& p : changed) {
            upsert(p);
        }
        all.clear();
        for (const auto& tp : order_) {
            all.push_back(partitions_.at(tp).request);
        }
        return ErrorCode::none;
    }

    bool include(const TopicPartition& tp, const PartitionAnswer& answer) {
        std::lock_guard lock(mu_);
        auto it = partitions_.find(tp);
        if (it == partitions_.end()) {
            return true;
        }
        Cached& c = it->second;
        bool changed = answer.has_records || answer.has_error || answer.has_diverging_epoch ||
                       answer.high_watermark != c.high_watermark ||
                       answer.last_stable_offset != c.last_stable_offset ||
                       answer.log_start_offset != c.log_start_offset;
        if (changed) {
            c.high_watermark = answer.high_watermark;
            c.last_stable_offset = answer.last_stable_offset;
            c.log_start_offset = answer.log_start_offset;
            // Answered partitions go last, so that those behind them in the order get the
            // response's byte budget first next time (Kafka moves them likewise).
            if (answer.has_records) {
                order_.erase(std::find(order_.begin(), order_.end(), tp));
                order_.push_back(tp);
            }
        }
        return changed;
    }

  private:
    struct Cached {
        FetchPartitionData request;
        int64_t high_watermark = -1;
        int64_t last_stable_offset = -1;
        int64_t log_start_offset = -1;
    };

    void upsert(const FetchPartitionData& p) {
        auto [it, inserted] = partitions_.try_emplace(p.tp);
        it->second.request = p;
        if (inserted) {
            order_.push_back(p.tp);
        }
    }

    const int32_t id_;
    const bool privileged_;
    mutable std::mutex mu_;
    int32_t next_epoch_ = 1;  // the full request that opened it was epoch 0
    Clock::time_point last_used_;
    std::unordered_map<TopicPartition, Cached> partitions_;
    std::vector<TopicPartition> order_;
};

int32_t FetchContext::session_id() const {
    return session ? session->id() : 0;
}

bool FetchContext::include(const TopicPartition& tp, const PartitionAnswer& answer) {
    if (!session) {
        return true;
    }
    // A full response lists every partition, but still records what the client was told.
    bool changed = session->include(tp, answer);
    return !incremental || changed;
}

FetchSessionCache::FetchSessionCache(size_t max_slots, std::chrono::milliseconds eviction_idle)
    : max_slots_(max_slots), eviction_idle_(eviction_idle) {}

size_t FetchSessionCache::size() const {
    std::lock_guard lock(mu_);
    return sessions_.size();
}

FetchContext FetchSessionCache::new_context(int32_t session_id, int32_t session_epoch,
                                            bool from_follower,
                                            std::vector<FetchPartitionData> requested,
                                            const std::vector<TopicPartition>& forgotten) {
    FetchContext ctx;
    if (session_epoch == kFinalEpoch || session_epoch == kInitialEpoch) {
        if (session_id != 0) {
            remove(session_id);  // closing (-1) or replacing (0) the old session
        }
        if (session_epoch == kInitialEpoch) {
            ctx.session = create_session(from_follower, requested);
        }
        ctx.partitions = std::move(requested);
        return ctx;
    }
    std::shared_ptr<FetchSession> session;
    {
        std::lock_guard lock(mu_);
        auto it = sessions_.find(session_id);
        if (it != sessions_.end()) {
            session = it->second;
        }
    }
    if (!session) {
        ctx.error = ErrorCode::fetch_session_id_not_found;
        return ctx;
    }
    if (auto e = session->update(session_epoch, requested, forgotten, ctx.partitions);
        e != ErrorCode::none) {
        ctx.error = e;
        return ctx;
    }
    ctx.session = std::move(session);
    ctx.incremental = true;
    return ctx;
}

std::shared_ptr<FetchSession> FetchSessionCache::create_session(
    bool privileged, const std::vector<FetchPartitionData>& parts) {
    thread_local std::mt19937 rng{std::random_device{}()};
    std::uniform_int_distribution<int32_t> ids(1, std::numeric_limits<int32_t>::max());
    std::lock_guard lock(mu_);
    if (!make_room_locked(privileged, Clock::now())) {
        return nullptr;  // no room: the client stays sessionless
    }
    int32_t id = ids(rng);
    while (sessions_.count(id) != 0) {
        id = ids(rng);
    }
    auto session = std::make_shared<FetchSession>(id, privileged, parts);
    sessions_.emplace(id, session);
    return session;
}

bool FetchSessionCache::make_room_locked(bool privileged, Clock::time_point now) {
    if (sessions_.size() < max_slots_) {
        return true;
    }
    // Kafka's eviction: a session idle for long enough goes first; otherwise a privileged
    // (follower) session may take an unprivileged one's slot.
    std::shared_ptr<FetchSession> victim;
    for (const auto& [id, s] : sessions_) {
        bool evictable = now - s->last_used() > eviction_idle_ || (privileged && !s->privileged());
        if (evictable && (!victim || s->last_used() < victim->last_used())) {
            victim = s;
        }
    }
    if (!victim) {
        return false;
    }
    sessions_.erase(victim->id());
    return true;
}

void FetchSessionCache::remove(int32_t session_id) {
    std::lock_guard lock(mu_);
    sessions_.erase(session_id);
}

}  // namespace samsa::api
