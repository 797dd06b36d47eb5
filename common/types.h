#pragma once
// The identifiers every module shares: broker ids, partition ids, leader epochs and the
// TopicPartition value type. Offsets stay plain int64_t (Kafka's own convention, and they are
// added to and subtracted from everywhere); the ids that are only compared are strong types.

#include "common/named_type.h"

#include <fmt/format.h>

#include <cstdint>
#include <functional>
#include <string>

namespace samsa {

using BrokerId = NamedType<int32_t, struct BrokerIdTag>;
using PartitionId = NamedType<int32_t, struct PartitionIdTag>;
using LeaderEpoch = NamedType<int32_t, struct LeaderEpochTag>;
using ControllerEpoch = NamedType<int32_t, struct ControllerEpochTag>;

inline constexpr BrokerId kNoBroker{-1};
inline constexpr LeaderEpoch kNoLeaderEpoch{-1};

struct TopicPartition {
    std::string topic;
    int32_t partition = 0;

    friend bool operator==(const TopicPartition&, const TopicPartition&) = default;
    friend auto operator<=>(const TopicPartition&, const TopicPartition&) = default;

    // "orders-3", as Kafka names partition directories and prints partitions in logs.
    std::string str() const { return topic + "-" + std::to_string(partition); }
};

}  // namespace samsa

template <>
struct std::hash<samsa::TopicPartition> {
    std::size_t operator()(const samsa::TopicPartition& tp) const noexcept {
        return std::hash<std::string>{}(tp.topic) * 31 + std::hash<int32_t>{}(tp.partition);
    }
};

template <>
struct fmt::formatter<samsa::TopicPartition> : fmt::formatter<std::string> {
    auto format(const samsa::TopicPartition& tp, fmt::format_context& ctx) const {
        return fmt::formatter<std::string>::format(tp.str(), ctx);
    }
};

template <typename T, typename Tag>
struct fmt::formatter<samsa::NamedType<T, Tag>> : fmt::formatter<T> {
    auto format(const samsa::NamedType<T, Tag>& v, fmt::format_context& ctx) const {
        return fmt::formatter<T>::format(v.value(), ctx);
    }
};
