#include "broker/api/request_metrics.h"

#include "broker/metrics/metrics.h"

#include <array>
#include <atomic>
#include <string>

namespace samsa::api {

namespace {

// Api keys 0..kKeys-1, plus one slot for FetchFollower (Fetch's slot is FetchConsumer).
constexpr size_t kKeys = 70;
constexpr size_t kFetchFollower = kKeys;
constexpr size_t kSlots = kKeys + 1;
constexpr size_t kVersions = 16;
// Error codes -1..kErrors-2 (index = code + 1).
constexpr size_t kErrors = 128;

constexpr std::string_view kPrefix = "kafka_network_requestmetrics_";

size_t slot_of(protocol::ApiKey key, bool follower_fetch) {
    if (key == protocol::ApiKey::fetch && follower_fetch) {
        return kFetchFollower;
    }
    const auto k = static_cast<size_t>(static_cast<int16_t>(key));
    return k < kKeys ? k : kSlots;  // kSlots: out of range, not counted
}

std::string request_name(size_t slot) {
    if (slot == kFetchFollower) {
        return "FetchFollower";
    }
    const auto key = static_cast<protocol::ApiKey>(static_cast<int16_t>(slot));
    if (key == protocol::ApiKey::fetch) {
        return "FetchConsumer";
    }
    return std::string(protocol::api_name(key));
}

// A lazily registered series: the registry is asked once, by whichever thread gets there
// first (a second thread asking at the same time gets the same counter back).
template <typename Metric, typename Register>
Metric& cached(std::atomic<Metric*>& cell, Register&& reg) {
    Metric* m = cell.load(std::memory_order_acquire);
    if (m == nullptr) {
        m = &reg();
        cell.store(m, std::memory_order_release);
    }
    return *m;
}

struct Tables {
    std::array<std::array<std::atomic<metrics::Counter*>, kVersions>, kSlots> requests{};
    std::array<std::atomic<metrics::Histogram*>, kSlots> total_time{};
    std::array<std::array<std::atomic<metrics::Counter*>, kErrors>, kSlots> errors{};
};

Tables& tables() {
    static Tables t;
    return t;
}

}  // namespace

void record_request(protocol::ApiKey key, int16_t version, bool follower_fetch, uint64_t micros) {
    if (!metrics::enabled()) {
        return;
    }
    const size_t slot = slot_of(key, follower_fetch);
    if (slot >= kSlots || version < 0 || static_cast<size_t>(version) >= kVersions) {
        return;
    }
    auto& t = tables();
    cached(t.requests[slot][static_cast<size_t>(version)], [&]() -> metrics::Counter& {
        return metrics::registry().counter(
            std::string(kPrefix) + "requests", "Requests received, per API and version",
            {{"request", request_name(slot)}, {"version", std::to_string(version)}});
    }).add();
    cached(t.total_time[slot], [&]() -> metrics::Histogram& {
        return metrics::registry().histogram(
            std::string(kPrefix) + "totaltimems",
            "Time from reading a request to its response being ready, in ms",
            {{"request", request_name(slot)}});
    }).observe_us(micros);
}

void record_error(protocol::ApiKey key, protocol::ErrorCode error, bool follower_fetch) {
    if (error == protocol::ErrorCode::none || !metrics::enabled()) {
        return;
    }
    const size_t slot = slot_of(key, follower_fetch);
    const int code = static_cast<int>(error) + 1;
    if (slot >= kSlots || code < 0 || static_cast<size_t>(code) >= kErrors) {
        return;
    }
    cached(tables().errors[slot][static_cast<size_t>(code)], [&]() -> metrics::Counter& {
        return metrics::registry().counter(
            std::string(kPrefix) + "errors", "Errors in responses, per API and error",
            {{"request", request_name(slot)}, {"error", std::string(protocol::error_name(error))}});
    }).add();
}

}  // namespace samsa::api
