#pragma once
// zk::Errc: the ZooKeeper result codes (the C client's ZOO_ERRORS, with the same numeric values)
// plus the few conditions this module adds on top (connection timeout, malformed znode data,
// controller moved, topic already exists). Registered as a std::error_code category so every
// fallible call in samsa::zk returns result<T> carrying one of these.
//
// The numeric values of the ZooKeeper codes are the C client's (ZNONODE = -101 ...), so a raw rc
// converts with `make_zk_error(rc)`; static_asserts in zk_errc.cc keep the two lists in step.

#include <system_error>

namespace samsa::zk {

enum class Errc : int {
    ok = 0,
    // System and client-side errors (ZSYSTEMERROR .. ZTHROTTLEDOP in zookeeper.h).
    system_error = -1,
    runtime_inconsistency = -2,
    data_inconsistency = -3,
    connection_loss = -4,
    marshalling_error = -5,
    unimplemented = -6,
    operation_timeout = -7,
    bad_arguments = -8,
    invalid_state = -9,
    new_config_no_quorum = -13,
    reconfig_in_progress = -14,
    ssl_connection_error = -15,
    // Server-side (API) errors.
    api_error = -100,
    no_node = -101,
    no_auth = -102,
    bad_version = -103,
    no_children_for_ephemerals = -108,
    node_exists = -110,
    not_empty = -111,
    session_expired = -112,
    invalid_callback = -113,
    invalid_acl = -114,
    auth_failed = -115,
    closing = -116,
    nothing = -117,
    session_moved = -118,
    not_read_only = -119,
    ephemeral_on_local_session = -120,
    no_watcher = -121,
    reconfig_disabled = -123,
    session_closed_require_sasl_auth = -124,
    throttled_op = -127,
    // Samsa conditions, raised by this module (not by ZooKeeper).
    connection_timeout = 1000,    // no connection within zookeeper.connection.timeout.ms
    malformed_data = 1001,        // a znode's content is not the JSON/text Kafka writes
    controller_moved = 1002,      // the /controller_epoch zkVersion check of a fenced write failed
    topic_already_exists = 1003,  // /brokers/topics/<t> exists or the topic is being deleted
};

const std::error_category& zk_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
    return {static_cast<int>(e), zk_category()};
}

// Converts a ZooKeeper C client return code; ZOK gives an empty error_code.
std::error_code make_zk_error(int rc) noexcept;

}  // namespace samsa::zk

template <>
struct std::is_error_code_enum<samsa::zk::Errc> : std::true_type {};
