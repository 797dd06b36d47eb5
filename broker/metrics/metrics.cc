#include "broker/metrics/metrics.h"

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <map>
#include <mutex>

namespace samsa::metrics {

void set_enabled(bool on) {
    enabled_flag().store(on, std::memory_order_relaxed);
}

size_t this_thread_shard() {
    static std::atomic<size_t> next{0};
    thread_local const size_t shard = next.fetch_add(1, std::memory_order_relaxed) % kShards;
    return shard;
}

uint64_t Counter::value() const noexcept {
    uint64_t total = 0;
    for (const auto& s : shards_) {
        total += s.v.load(std::memory_order_relaxed);
    }
    return total;
}

// Bucket 0 holds up to 10 µs, bucket b up to 10 * 2^b µs; the last is unbounded.
size_t Histogram::bucket_of(uint64_t micros) noexcept {
    if (micros <= 10) {
        return 0;
    }
    const uint64_t tens = (micros + 9) / 10;  // ceil(micros / 10) >= 2
    const size_t b = static_cast<size_t>(std::bit_width(tens - 1));
    return b < kBuckets - 1 ? b : kBuckets - 1;
}

double Histogram::upper_bound_ms(size_t bucket) {
    if (bucket >= kBuckets - 1) {
        return INFINITY;
    }
    return 0.01 * static_cast<double>(uint64_t{1} << bucket);
}

Histogram::Snapshot Histogram::snapshot() const {
    Snapshot out;
    uint64_t sum_us = 0;
    for (const auto& s : shards_) {
        for (size_t b = 0; b < kBuckets; ++b) {
            out.buckets[b] += s.buckets[b].load(std::memory_order_relaxed);
        }
        sum_us += s.sum_us.load(std::memory_order_relaxed);
    }
    for (uint64_t n : out.buckets) {
        out.count += n;
    }
    out.sum_ms = static_cast<double>(sum_us) / 1000.0;
    return out;
}

double Histogram::Snapshot::quantile_ms(double q) const {
    if (count == 0) {
        return 0;
    }
    const auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count)));
    uint64_t seen = 0;
    for (size_t b = 0; b < kBuckets; ++b) {
        seen += buckets[b];
        if (seen >= rank && buckets[b] > 0) {
            // The unbounded bucket reports the largest finite bound rather than +Inf.
            return std::isinf(upper_bound_ms(b)) ? upper_bound_ms(kBuckets - 2) * 2
                                                 : upper_bound_ms(b);
        }
    }
    return upper_bound_ms(kBuckets - 2) * 2;
}

CollectorHandle::CollectorHandle(CollectorHandle&& other) noexcept
    : registry_(std::exchange(other.registry_, nullptr)), id_(other.id_) {}

CollectorHandle& CollectorHandle::operator=(CollectorHandle&& other) noexcept {
    if (this != &other) {
        if (registry_ != nullptr) {
            registry_->remove_collector(id_);
        }
        registry_ = std::exchange(other.registry_, nullptr);
        id_ = other.id_;
    }
    return *this;
}

CollectorHandle::~CollectorHandle() {
    if (registry_ != nullptr) {
        registry_->remove_collector(id_);
    }
}

namespace {

std::string escape_label(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\' || c == '"') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string series_key(const Labels& labels) {
    std::string key;
    for (const auto& [k, v] : labels) {
        key += k + "=\"" + escape_label(v) + "\",";
    }
    return key;
}

std::string format_value(double v) {
    if (std::isnan(v)) {
        return "NaN";
    }
    if (std::isinf(v)) {
        return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == std::floor(v) && std::fabs(v) < 1e15) {
        return fmt::format("{}", static_cast<int64_t>(v));
    }
    return fmt::format("{}", v);
}

std::string_view type_name(Type t) {
    switch (t) {
        case Type::counter:
            return "counter";
        case Type::gauge:
            return "gauge";
        case Type::summary:
            return "summary";
    }
    return "untyped";
}

// Collects samples by family, keeping the order in which families first appear.
class TextSink final : public SampleSink {
  public:
    void sample(std::string_view family, std::string_view help, Type type, const Labels& labels,
                double value) override {
        line(family, help, type, family, series_key(labels), value);
    }

    void line(std::string_view family, std::string_view help, Type type, std::string_view name,
              std::string_view key, double value) {
        auto [it, inserted] = index_.try_emplace(std::string(family), families_.size());
        if (inserted) {
            families_.push_back(
                fmt::format("# HELP {} {}\n# TYPE {} {}\n", family, help, family, type_name(type)));
        }
        auto& text = families_[it->second];
        text += name;
        if (!key.empty()) {
            text += '{';
            text.append(key.data(), key.size() - 1);  // drop the trailing comma
            text += '}';
        }
        text += ' ';
        text += format_value(value);
        text += '\n';
    }

    std::string str() const {
        std::string out;
        for (const auto& f : families_) {
            out += f;
        }
        return out;
    }

  private:
    std::map<std::string, size_t> index_;
    std::vector<std::string> families_;
};

// Kafka's Yammer histograms publish these percentiles.
constexpr std::array kQuantiles{0.5, 0.75, 0.95, 0.98, 0.99, 0.999};

}  // namespace

struct Registry::State {
    struct Series {
        std::string family;
        std::string help;
        Type type;
        Labels labels;
        std::unique_ptr<Counter> counter;
        std::unique_ptr<Histogram> histogram;
        std::function<double()> gauge;
    };
    // render_mu: held while scraping, and by whatever changes what a scrape calls (gauges,
    // collectors), so a collector is never removed while it runs. mu: the tables only, and
    // never held while a gauge or collector runs: those take other objects' locks, whose
    // holders may be registering a metric.
    mutable std::mutex render_mu;
    mutable std::mutex mu;
    std::vector<std::unique_ptr<Series>> series;  // in registration order
    std::map<std::string, size_t> by_key;
    std::map<uint64_t, Collector> collectors;
    uint64_t next_collector = 1;

    Series* find(const std::string& family, const Labels& labels) {
        auto it = by_key.find(family + "{" + series_key(labels));
        return it == by_key.end() ? nullptr : series[it->second].get();
    }
    Series& add(std::string family, std::string_view help, Type type, const Labels& labels) {
        by_key.emplace(family + "{" + series_key(labels), series.size());
        series.push_back(std::make_unique<Series>(
            Series{std::move(family), std::string(help), type, labels, nullptr, nullptr, nullptr}));
        return *series.back();
    }
};

Registry::Registry() : s_(std::make_unique<State>()) {}
Registry::~Registry() = default;

Counter& Registry::counter(std::string_view name, std::string_view help, const Labels& labels) {
    std::lock_guard lock(s_->mu);
    const std::string family = std::string(name) + "_total";
    if (auto* s = s_->find(family, labels); s != nullptr && s->counter) {
        return *s->counter;
    }
    auto& s = s_->add(family, help, Type::counter, labels);
    s.counter = std::make_unique<Counter>();
    return *s.counter;
}

Histogram& Registry::histogram(std::string_view name, std::string_view help, const Labels& labels) {
    std::lock_guard lock(s_->mu);
    const std::string family(name);
    if (auto* s = s_->find(family, labels); s != nullptr && s->histogram) {
        return *s->histogram;
    }
    auto& s = s_->add(family, help, Type::summary, labels);
    s.histogram = std::make_unique<Histogram>();
    return *s.histogram;
}

void Registry::gauge(std::string_view name, std::string_view help, const Labels& labels,
                     std::function<double()> read) {
    std::scoped_lock lock(s_->render_mu, s_->mu);
    const std::string family(name);
    if (auto* s = s_->find(family, labels); s != nullptr) {
        s->gauge = std::move(read);
        return;
    }
    s_->add(family, help, Type::gauge, labels).gauge = std::move(read);
}

CollectorHandle Registry::add_collector(Collector collector) {
    std::scoped_lock lock(s_->render_mu, s_->mu);
    const uint64_t id = s_->next_collector++;
    s_->collectors.emplace(id, std::move(collector));
    return CollectorHandle(this, id);
}

void Registry::remove_collector(uint64_t id) {
    std::scoped_lock lock(s_->render_mu, s_->mu);
    s_->collectors.erase(id);
}

std::string Registry::render() const {
    TextSink sink;
    std::lock_guard render(s_->render_mu);
    std::vector<const State::Series*> series;
    {
        std::lock_guard lock(s_->mu);
        for (const auto& s : s_->series) {
            series.push_back(s.get());
        }
    }
    for (const auto* sp : series) {
        const auto& s = *sp;
        const std::string key = series_key(s.labels);
        if (s.counter) {
            sink.line(s.family, s.help, s.type, s.family, key,
                      static_cast<double>(s.counter->value()));
        } else if (s.histogram) {
            const auto snap = s.histogram->snapshot();
            for (double q : kQuantiles) {
                Labels with_q = s.labels;
                with_q.emplace_back("quantile", fmt::format("{}", q));
                sink.line(s.family, s.help, s.type, s.family, series_key(with_q),
                          snap.quantile_ms(q));
            }
            sink.line(s.family, s.help, s.type, s.family + "_sum", key, snap.sum_ms);
            sink.line(s.family, s.help, s.type, s.family + "_count", key,
                      static_cast<double>(snap.count));
        } else if (s.gauge) {
            sink.line(s.family, s.help, s.type, s.family, key, s.gauge());
        }
    }
    // Not changed while render_mu is held.
    for (const auto& [id, collect] : s_->collectors) {
        collect(sink);
    }
    return sink.str();
}

Registry& registry() {
    static Registry r;
    return r;
}

}  // namespace samsa::metrics
