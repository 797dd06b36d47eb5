#include "broker/group/consumer_protocol.h"

#include "broker/protocol/wire.h"

namespace samsa::group {

std::optional<std::vector<std::string>> parse_subscription_topics(const Bytes& subscription) {
    try {
        protocol::Reader r(subscription);
        if (r.read_int16() < 0) {
            return std::nullopt;
        }
        int32_t n = r.read_int32();
        if (n < 0 || static_cast<size_t>(n) > subscription.size()) {
            return std::nullopt;
        }
        std::vector<std::string> topics;
        for (int32_t i = 0; i < n; ++i) {
            topics.push_back(r.read_string());
        }
        return topics;
    } catch (const protocol::DecodeError&) {
        return std::nullopt;  // a member's bytes, not ours: not a subscription
    }
}

}  // namespace samsa::group
