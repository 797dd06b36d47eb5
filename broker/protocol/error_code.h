#pragma once
// ErrorCode: every error code of the Kafka 2.8 protocol (clients' Errors.java), as the int16
// that travels in responses. Enumerators are the protocol names in snake_case; error_name()
// gives the protocol name back ("NOT_LEADER_OR_FOLLOWER") for logs and tests.
//
// ErrorCode is a std::error_code enum (category "kafka"), so module errors mapped at the API
// edge (log::Errc, zk::Errc -> ErrorCode) can travel in result<T> like any other error.
// Per-partition failures are response fields, never exceptions (STYLE.md §4).

#include <cstdint>
#include <string_view>
#include <system_error>

namespace samsa::protocol {

enum class ErrorCode : int16_t {
    unknown_server_error = -1,                   // unexpected failure on the server
    none = 0,                                    // success
    offset_out_of_range = 1,                     // offset outside the log's [start, end]
    corrupt_message = 2,                         // bad CRC, size or format in a record batch
    unknown_topic_or_partition = 3,              // this broker does not host that partition
    invalid_fetch_size = 4,                      // fetch size is negative or otherwise unusable
    leader_not_available = 5,                    // leader election is in progress
    not_leader_or_follower = 6,                  // this broker is not the leader (or a replica)
    request_timed_out = 7,                       // the request ran past its timeout
    broker_not_available = 8,                    // the broker is down or unknown
    replica_not_available = 9,                   // a replica of the partition is unavailable
    message_too_large = 10,                      // batch larger than the topic's max size
    stale_controller_epoch = 11,                 // request from a superseded controller
    offset_metadata_too_large = 12,              // commit metadata string over the limit
    network_exception = 13,                      // connection dropped before a response
    coordinator_load_in_progress = 14,           // coordinator still loading its state
    coordinator_not_available = 15,              // no coordinator (offsets topic missing?)
    not_coordinator = 16,                        // this broker is not the group's coordinator
    invalid_topic_exception = 17,                // illegal topic name, or internal topic misuse
    record_list_too_large = 18,                  // produce request larger than the segment size
    not_enough_replicas = 19,                    // ISR smaller than min.insync.replicas
    not_enough_replicas_after_append = 20,       // written, but ISR shrank below the minimum
    invalid_required_acks = 21,                  // acks other than -1, 0 or 1
    illegal_generation = 22,                     // stale group generation id
    inconsistent_group_protocol = 23,            // member protocols do not match the group's
    invalid_group_id = 24,                       // empty or illegal group id
    unknown_member_id = 25,                      // member id not in the group
    invalid_session_timeout = 26,                // session timeout outside the broker's range
    rebalance_in_progress = 27,                  // the group is rebalancing; rejoin
    invalid_commit_offset_size = 28,             // committed offset metadata is too large
    topic_authorization_failed = 29,             // no permission on the topic
    group_authorization_failed = 30,             // no permission on the group
    cluster_authorization_failed = 31,           // no permission on the cluster
    invalid_timestamp = 32,                      // record timestamp outside the accepted range
    unsupported_sasl_mechanism = 33,             // mechanism not enabled on this listener
    illegal_sasl_state = 34,                     // SASL request out of order
    unsupported_version = 35,                    // API version not supported by the broker
    topic_already_exists = 36,                   // create of an existing topic
    invalid_partitions = 37,                     // partition count is not acceptable
    invalid_replication_factor = 38,             // replication factor is not acceptable
    invalid_replica_assignment = 39,             // manual assignment is malformed
    invalid_config = 40,                         // a config value is not acceptable
    not_controller = 41,                         // this broker is not the controller
    invalid_request = 42,                        // request is malformed or inconsistent
    unsupported_for_message_format = 43,         // feature needs a newer message format
    policy_violation = 44,                       // rejected by a create/alter policy
    out_of_order_sequence_number = 45,           // idempotent producer sequence gap
    duplicate_sequence_number = 46,              // idempotent producer resent a batch
    invalid_producer_epoch = 47,                 // producer epoch is older than the current one
    invalid_txn_state = 48,                      // operation not valid in this txn state
    invalid_producer_id_mapping = 49,            // producer id does not match transactional id
    invalid_transaction_timeout = 50,            // txn timeout above the broker's maximum
    concurrent_transactions = 51,                // another txn operation is still running
    transaction_coordinator_fenced = 52,         // txn coordinator epoch is stale
    transactional_id_authorization_failed = 53,  // no permission on the transactional id
    security_disabled = 54,                      // security feature off on this cluster
    operation_not_attempted = 55,                // skipped because an earlier step failed
    kafka_storage_error = 56,                    // disk error on the log directory
    log_dir_not_found = 57,                      // named log directory does not exist
    sasl_authentication_failed = 58,             // bad credentials
    unknown_producer_id = 59,                    // producer state expired or unknown
    reassignment_in_progress = 60,               // partition reassignment already running
    delegation_token_auth_disabled = 61,         // delegation tokens are not enabled
    delegation_token_not_found = 62,             // no such delegation token
    delegation_token_owner_mismatch = 63,        // principal does not own the token
    delegation_token_request_not_allowed = 64,   // token requests need a non-token login
    delegation_token_authorization_failed = 65,  // no permission on the token
    delegation_token_expired = 66,               // token past its expiry time
    invalid_principal_type = 67,                 // principal type is not supported
    non_empty_group = 68,                        // delete of a group that still has members
    group_id_not_found = 69,                     // no such group
    fetch_session_id_not_found = 70,             // incremental fetch session is unknown
    invalid_fetch_session_epoch = 71,            // fetch session epoch out of sequence
    listener_not_found = 72,                     // leader has no endpoint on this listener
    topic_deletion_disabled = 73,                // delete.topic.enable is false
    fenced_leader_epoch = 74,                    // request carries an older leader epoch
    unknown_leader_epoch = 75,                   // request carries a newer leader epoch
    unsupported_compression_type = 76,           // compression not usable at this version
    stale_broker_epoch = 77,                     // broker epoch is older than the controller's
    offset_not_available = 78,                   // leader cannot serve that offset yet
    member_id_required = 79,                     // join again with the assigned member id
    preferred_leader_not_available = 80,         // preferred replica cannot become leader
    group_max_size_reached = 81,                 // group already has its maximum of members
    fenced_instance_id = 82,                     // static member replaced by a newer one
    eligible_leaders_not_available = 83,         // no replica can take over leadership
    election_not_needed = 84,                    // leader is already the preferred one
    no_reassignment_in_progress = 85,            // nothing to cancel
    group_subscribed_to_topic = 86,              // offsets in use by an active subscription
    invalid_record = 87,                         // record rejected by broker validation
    unstable_offset_commit = 88,                 // pending transactional commits on the group
    throttling_quota_exceeded = 89,              // admin mutation quota exceeded
    producer_fenced = 90,                        // a newer producer uses the same txn id
    resource_not_found = 91,                     // referenced resource does not exist
    duplicate_resource = 92,                     // resource named twice in one request
    unacceptable_credential = 93,                // credential rejected (SCRAM iterations etc.)
    inconsistent_voter_set = 94,                 // KRaft: voter sets disagree
    invalid_update_version = 95,                 // feature version update is invalid
    feature_update_failed = 96,                  // feature update could not be applied
    principal_deserialization_failure = 97,      // forwarded principal could not be read
    snapshot_not_found = 98,                     // KRaft: requested snapshot is missing
    unknown_topic_id = 100,                      // no topic with that id
    duplicate_broker_registration = 101,         // KRaft: broker id registered twice
    broker_id_not_registered = 102,              // KRaft: broker id is not registered
    inconsistent_topic_id = 103,                 // topic id differs from the one on record
    inconsistent_cluster_id = 104,               // cluster id differs from this cluster's
};

// The protocol name ("UNKNOWN_TOPIC_OR_PARTITION"); "UNKNOWN" for a code Kafka 2.8 lacks.
std::string_view error_name(ErrorCode code);

// The std::error_code category of ErrorCode; its name is "kafka".
const std::error_category& kafka_category() noexcept;

inline std::error_code make_error_code(ErrorCode code) noexcept {
    return {static_cast<int>(code), kafka_category()};
}

}  // namespace samsa::protocol

template <>
struct std::is_error_code_enum<samsa::protocol::ErrorCode> : std::true_type {};
