#pragma once
// Kafka's DefaultPartitioner (2.4+, KIP-480), as the console producer and the perf test use it:
// a keyed record goes to toPositive(murmur2(key)) % numPartitions, so the same key lands where
// a Java client (or librdkafka's murmur2_random) puts it; a record without a key sticks to one
// partition until that partition's batch is sent, then a new sticky partition is chosen among
// the available ones.

#include <cstdint>
#include <map>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace samsa::client {

// Utils.murmur2: Kafka's 32-bit MurmurHash2 (seed 0x9747b28c) of `data`.
int32_t murmur2(std::span<const uint8_t> data);

// Utils.toPositive: clears the sign bit (not abs(): abs(INT_MIN) is negative).
inline int32_t to_positive(int32_t n) {
    return n & 0x7fffffff;
}

// The partition of a keyed record among `num_partitions`.
int32_t partition_for_key(std::span<const uint8_t> key, int32_t num_partitions);

class StickyPartitioner {
  public:
    // The sticky partition of `topic` (among `available`, the partitions with a leader; all of
    // 0..num_partitions-1 when none has one).
    int32_t partition(const std::string& topic, int32_t num_partitions,
                      const std::vector<int32_t>& available);
    // A batch of `topic` was sent on `previous`: move on to another partition.
    void on_new_batch(const std::string& topic, int32_t num_partitions,
                      const std::vector<int32_t>& available, int32_t previous);

  private:
    int32_t pick(int32_t num_partitions, const std::vector<int32_t>& available, int32_t avoid);

    std::map<std::string, int32_t> sticky_;
    std::mt19937 random_{std::random_device{}()};
};

}  // namespace samsa::client
