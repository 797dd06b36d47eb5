#pragma once
// The broker's metrics: one process-wide registry, as Kafka keeps its Yammer metrics in one
// default registry, rendered in Prometheus' text format under the names the Prometheus JMX
// exporter gives Kafka's MBeans (kafka_server_brokertopicmetrics_messagesin_total, ...).
//
// Cost on the hot path: a Counter or Histogram update touches only the calling thread's shard
// (its own cache line; no lock, no shared line), and nothing at all while metrics are off
// (metrics.listener unset): one relaxed load of a flag nobody writes after start-up. Gauges
// and collectors are computed only when scraped.
//
// Registration returns references that live as long as the process (metrics are never
// unregistered, as Kafka's per-topic meters outlive a topic until restart); collectors, which
// read other objects, are removed when their handle goes.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace samsa::metrics {

// Label name/value pairs in the order they are rendered.
using Labels = std::vector<std::pair<std::string, std::string>>;

// Off until the broker's metrics listener starts; updates made while off are dropped.
void set_enabled(bool on);
inline std::atomic<bool>& enabled_flag() {
    static std::atomic<bool> flag{false};
    return flag;
}
inline bool enabled() {
    return enabled_flag().load(std::memory_order_relaxed);
}

// Threads are spread over this many shards (a thread keeps its shard for life).
inline constexpr size_t kShards = 8;
size_t this_thread_shard();

// A monotonic count (a Kafka meter's Count): rendered as <name>_total.
class Counter {
  public:
    void add(uint64_t n = 1) noexcept {
        if (enabled()) {
            shards_[this_thread_shard()].v.fetch_add(n, std::memory_order_relaxed);
        }
    }
    uint64_t value() const noexcept;

  private:
    struct alignas(64) Shard {
        std::atomic<uint64_t> v{0};
    };
    std::array<Shard, kShards> shards_{};
};

// A latency distribution in milliseconds (Kafka's Yammer histograms, e.g. TotalTimeMs),
// rendered as a Prometheus summary: Kafka's percentiles as quantile labels, plus _count and
// _sum. Buckets double from 0.01 ms, so a percentile is exact to within its bucket (a factor
// of two); they are cumulative since start-up, where Yammer's decay over ~5 minutes.
class Histogram {
  public:
    static constexpr size_t kBuckets = 24;  // upper bounds 0.01 ms .. 0.01 * 2^22 ms (~42 s), +Inf
    static double upper_bound_ms(size_t bucket);

    void observe_us(uint64_t micros) noexcept {
        if (enabled()) {
            auto& s = shards_[this_thread_shard()];
            s.buckets[bucket_of(micros)].fetch_add(1, std::memory_order_relaxed);
            s.sum_us.fetch_add(micros, std::memory_order_relaxed);
        }
    }

    struct Snapshot {
        std::array<uint64_t, kBuckets> buckets{};
        uint64_t count = 0;
        double sum_ms = 0;
        // The upper bound of the bucket holding quantile q (0 when empty).
        double quantile_ms(double q) const;
    };
    Snapshot snapshot() const;

  private:
    static size_t bucket_of(uint64_t micros) noexcept;
    struct alignas(64) Shard {
        std::array<std::atomic<uint64_t>, kBuckets> buckets{};
        std::atomic<uint64_t> sum_us{0};
    };
    std::array<Shard, kShards> shards_{};
};

enum class Type { counter, gauge, summary };

// Where a collector writes the samples it computes at scrape time. A family's HELP and TYPE
// are written once, before its first sample.
class SampleSink {
  public:
    virtual ~SampleSink() = default;
    virtual void sample(std::string_view family, std::string_view help, Type type,
                        const Labels& labels, double value) = 0;
};
using Collector = std::function<void(SampleSink&)>;

class Registry;
// Removes its collector when destroyed (before what the collector reads goes away).
class CollectorHandle {
  public:
    CollectorHandle() = default;
    CollectorHandle(Registry* registry, uint64_t id) : registry_(registry), id_(id) {}
    CollectorHandle(CollectorHandle&& other) noexcept;
    CollectorHandle& operator=(CollectorHandle&& other) noexcept;
    ~CollectorHandle();

  private:
    Registry* registry_ = nullptr;
    uint64_t id_ = 0;
};

class Registry {
  public:
    Registry();
    ~Registry();
    // The same name and labels give the same counter. `name` excludes the _total suffix.
    Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
    Histogram& histogram(std::string_view name, std::string_view help, const Labels& labels = {});
    // A value read at scrape time (kept until the process ends: for process-wide state).
    void gauge(std::string_view name, std::string_view help, const Labels& labels,
               std::function<double()> read);
    [[nodiscard]] CollectorHandle add_collector(Collector collector);
    void remove_collector(uint64_t id);

    // Prometheus text exposition format 0.0.4, families in registration order.
    std::string render() const;

  private:
    struct State;
    std::unique_ptr<State> s_;
};

// The process-wide registry.
Registry& registry();

}  // namespace samsa::metrics
