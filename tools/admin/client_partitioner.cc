#include "tools/admin/client_partitioner.h"

namespace samsa::client {

int32_t murmur2(std::span<const uint8_t> data) {
    // Java's int arithmetic, on uint32_t so that overflow wraps as it does there.
    const uint32_t length = static_cast<uint32_t>(data.size());
    constexpr uint32_t seed = 0x9747b28c;
    constexpr uint32_t m = 0x5bd1e995;
    constexpr int r = 24;
    uint32_t h = seed ^ length;
    const uint32_t length4 = length / 4;
    for (uint32_t i = 0; i < length4; ++i) {
        const uint32_t i4 = i * 4;
        uint32_t k = uint32_t{data[i4]} | (uint32_t{data[i4 + 1]} << 8) |
                     (uint32_t{data[i4 + 2]} << 16) | (uint32_t{data[i4 + 3]} << 24);
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }
    const uint32_t tail = length & ~3u;
    switch (length % 4) {
        case 3:
            h ^= uint32_t{data[tail + 2]} << 16;
            [[fallthrough]];
        case 2:
            h ^= uint32_t{data[tail + 1]} << 8;
            [[fallthrough]];
        case 1:
            h ^= uint32_t{data[tail]};
            h *= m;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return static_cast<int32_t>(h);
}

int32_t partition_for_key(std::span<const uint8_t> key, int32_t num_partitions) {
    return to_positive(murmur2(key)) % num_partitions;
}

int32_t StickyPartitioner::pick(int32_t num_partitions, const std::vector<int32_t>& available,
                                int32_t avoid) {
    std::vector<int32_t> candidates = available;
    if (candidates.empty()) {
        for (int32_t p = 0; p < num_partitions; ++p) {
            candidates.push_back(p);
        }
    }
    if (candidates.size() > 1) {
        std::erase(candidates, avoid);
    }
    std::uniform_int_distribution<std::size_t> d(0, candidates.size() - 1);
    return candidates[d(random_)];
}

int32_t StickyPartitioner::partition(const std::string& topic, int32_t num_partitions,
                                     const std::vector<int32_t>& available) {
    auto it = sticky_.find(topic);
    if (it == sticky_.end() || it->second >= num_partitions) {
        it = sticky_.insert_or_assign(topic, pick(num_partitions, available, -1)).first;
    }
    return it->second;
}

void StickyPartitioner::on_new_batch(const std::string& topic, int32_t num_partitions,
                                     const std::vector<int32_t>& available, int32_t previous) {
    auto it = sticky_.find(topic);
    // Kafka changes the sticky partition only when the batch was the sticky one's.
    if (it != sticky_.end() && it->second == previous) {
        it->second = pick(num_partitions, available, previous);
    }
}

}  // namespace samsa::client
