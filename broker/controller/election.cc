#include "broker/controller/election.h"

#include <algorithm>

namespace samsa::controller {

namespace {

bool contains(const std::vector<int32_t>& v, int32_t x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

std::vector<int32_t> filter(const std::vector<int32_t>& v,
                            const std::function<bool(int32_t)>& keep) {
    std::vector<int32_t> out;
    std::copy_if(v.begin(), v.end(), std::back_inserter(out), keep);
    return out;
}

}  // namespace

std::optional<ElectionResult> initial_leader(const std::vector<int32_t>& assignment,
                                             const IsLive& is_live) {
    auto live = filter(assignment, is_live);
    if (live.empty()) {
        return std::nullopt;
    }
    return ElectionResult{live.front(), live};
}

std::optional<ElectionResult> offline_partition_leader(const std::vector<int32_t>& assignment,
                                                       const std::vector<int32_t>& isr,
                                                       const IsLive& is_live,
                                                       bool unclean_allowed) {
    for (int32_t r : assignment) {
        if (is_live(r) && contains(isr, r)) {
            return ElectionResult{r, filter(isr, is_live)};
        }
    }
    if (unclean_allowed) {
        for (int32_t r : assignment) {
            if (is_live(r)) {
                return ElectionResult{r, {r}};
            }
        }
    }
    return std::nullopt;
}

std::optional<ElectionResult> preferred_replica_leader(const std::vector<int32_t>& assignment,
                                                       const std::vector<int32_t>& isr,
                                                       const IsLive& is_live) {
    if (assignment.empty()) {
        return std::nullopt;
    }
    int32_t preferred = assignment.front();
    if (is_live(preferred) && contains(isr, preferred)) {
        return ElectionResult{preferred, isr};
    }
    return std::nullopt;
}

std::optional<ElectionResult> reassign_partition_leader(const std::vector<int32_t>& target,
                                                        const std::vector<int32_t>& isr,
                                                        const IsLive& is_live) {
    for (int32_t r : target) {
        if (is_live(r) && contains(isr, r)) {
            return ElectionResult{r, isr};
        }
    }
    return std::nullopt;
}

std::optional<ElectionResult> controlled_shutdown_leader(
    const std::vector<int32_t>& assignment, const std::vector<int32_t>& isr,
    const IsLive& is_live_or_shutting_down, const std::function<bool(int32_t)>& shutting_down) {
    auto new_isr = filter(isr, [&](int32_t r) { return !shutting_down(r); });
    for (int32_t r : assignment) {
        if (is_live_or_shutting_down(r) && contains(isr, r) && !shutting_down(r)) {
            return ElectionResult{r, new_isr};
        }
    }
    return std::nullopt;
}

std::map<int32_t, std::vector<TopicPartition>> imbalanced_partitions(
    const std::map<TopicPartition, std::vector<int32_t>>& assignments,
    const std::map<TopicPartition, int32_t>& leaders, int32_t imbalance_percentage) {
    std::map<int32_t, size_t> preferred_count;
    std::map<int32_t, std::vector<TopicPartition>> not_led_by_preferred;
    for (const auto& [tp, replicas] : assignments) {
        if (replicas.empty()) {
            continue;
        }
        const int32_t preferred = replicas.front();
        ++preferred_count[preferred];
        auto leader = leaders.find(tp);
        if (leader != leaders.end() && leader->second != preferred) {
            not_led_by_preferred[preferred].push_back(tp);
        }
    }
    std::map<int32_t, std::vector<TopicPartition>> out;
    for (auto& [broker, tps] : not_led_by_preferred) {
        const double ratio =
            static_cast<double>(tps.size()) / static_cast<double>(preferred_count[broker]);
        if (ratio > static_cast<double>(imbalance_percentage) / 100.0) {
            out[broker] = std::move(tps);
        }
    }
    return out;
}

}  // namespace samsa::controller
