#include "tools/admin/kafka_exceptions.h"

#include "broker/protocol/error_code.h"
#include "tools/admin/tool_support.h"

#include <cctype>

namespace samsa::admin {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Errors.java's texts for codes whose replies carry no message and that tool_support's
// error_message does not know.
std::optional<std::string> standard_text(int16_t code) {
    using protocol::ErrorCode;
    switch (static_cast<ErrorCode>(code)) {
        case ErrorCode::offset_out_of_range:
            return "The requested offset is not within the range of offsets maintained by the "
                   "server.";
        case ErrorCode::not_leader_or_follower:
            return "For requests intended only for the leader, this error indicates that the "
                   "broker is not the current leader. For requests intended for any replica, "
                   "this error indicates that the broker is not a replica of the topic "
                   "partition.";
        case ErrorCode::leader_not_available:
            return "There is no leader for this topic-partition as we are in the middle of a "
                   "leadership election.";
        case ErrorCode::policy_violation:
            return "Request parameters do not satisfy the configured policy.";
        case ErrorCode::invalid_config:
            return "Configuration is invalid.";
        case ErrorCode::kafka_storage_error:
            return "Disk error when trying to access log file on the disk.";
        default:
            return std::nullopt;
    }
}

}  // namespace

std::string exception_class(int16_t code) {
    using protocol::ErrorCode;
    // The few whose class does not follow from the protocol name.
    switch (static_cast<ErrorCode>(code)) {
        case ErrorCode::invalid_config:
            return "InvalidConfigurationException";
        case ErrorCode::request_timed_out:
            return "TimeoutException";
        case ErrorCode::unknown_server_error:
            return "UnknownServerException";
        default:
            break;
    }
    // NOT_LEADER_OR_FOLLOWER -> NotLeaderOrFollowerException, TOPIC_AUTHORIZATION_FAILED ->
    // TopicAuthorizationException, KAFKA_STORAGE_ERROR -> KafkaStorageException.
    std::string name(protocol::error_name(static_cast<ErrorCode>(code)));
    for (const std::string suffix : {"_EXCEPTION", "_ERROR", "_FAILED"}) {
        if (ends_with(name, suffix)) {
            name.resize(name.size() - suffix.size());
            break;
        }
    }
    std::string out;
    bool upper = true;
    for (const char c : name) {
        if (c == '_') {
            upper = true;
            continue;
        }
        out += upper ? c : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        upper = false;
    }
    return out + "Exception";
}

std::string kafka_exception_text(int16_t code, const std::optional<std::string>& broker_message) {
    const bool has_message = broker_message && !broker_message->empty();
    const auto text = has_message ? std::nullopt : standard_text(code);
    return "org.apache.kafka.common.errors." + exception_class(code) + ": " +
           (text ? *text : error_message(code, broker_message));
}

}  // namespace samsa::admin
