#pragma once
// The one part of the consumer protocol the broker reads: the topics in a member's
// Subscription (int16 version, then an array of topic names; what follows is ignored). Kafka
// reads them too, for offset expiry and OffsetDelete of groups whose protocol type is
// "consumer". Everything else about group protocols is opaque bytes.

#include "broker/group/types.h"

#include <optional>
#include <string>
#include <vector>

namespace samsa::group {

inline const std::string kConsumerProtocolType = "consumer";

// nullopt if the bytes are not a subscription.
std::optional<std::vector<std::string>> parse_subscription_topics(const Bytes& subscription);

}  // namespace samsa::group
