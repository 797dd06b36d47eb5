#include "broker/protocol/error_code.h"

#include <string>

namespace samsa::protocol {

std::string_view error_name(ErrorCode code) {
    using E = ErrorCode;
    // No default: -Wswitch flags an enumerator added without a name here.
    switch (code) {
        case E::unknown_server_error:
            return "UNKNOWN_SERVER_ERROR";
        case E::none:
            return "NONE";
        case E::offset_out_of_range:
            return "OFFSET_OUT_OF_RANGE";
        case E::corrupt_message:
            return "CORRUPT_MESSAGE";
        case E::unknown_topic_or_partition:
            return "UNKNOWN_TOPIC_OR_PARTITION";
        case E::invalid_fetch_size:
            return "INVALID_FETCH_SIZE";
        case E::leader_not_available:
            return "LEADER_NOT_AVAILABLE";
        case E::not_leader_or_follower:
            return "NOT_LEADER_OR_FOLLOWER";
        case E::request_timed_out:
            return "REQUEST_TIMED_OUT";
        case E::broker_not_available:
            return "BROKER_NOT_AVAILABLE";
        case E::replica_not_available:
            return "REPLICA_NOT_AVAILABLE";
        case E::message_too_large:
            return "MESSAGE_TOO_LARGE";
        case E::stale_controller_epoch:
            return "STALE_CONTROLLER_EPOCH";
        case E::offset_metadata_too_large:
            return "OFFSET_METADATA_TOO_LARGE";
        case E::network_exception:
            return "NETWORK_EXCEPTION";
        case E::coordinator_load_in_progress:
            return "COORDINATOR_LOAD_IN_PROGRESS";
        case E::coordinator_not_available:
            return "COORDINATOR_NOT_AVAILABLE";
        case E::not_coordinator:
            return "NOT_COORDINATOR";
        case E::invalid_topic_exception:
            return "INVALID_TOPIC_EXCEPTION";
        case E::record_list_too_large:
            return "RECORD_LIST_TOO_LARGE";
        case E::not_enough_replicas:
            return "NOT_ENOUGH_REPLICAS";
        case E::not_enough_replicas_after_append:
            return "NOT_ENOUGH_REPLICAS_AFTER_APPEND";
        case E::invalid_required_acks:
            return "INVALID_REQUIRED_ACKS";
        case E::illegal_generation:
            return "ILLEGAL_GENERATION";
        case E::inconsistent_group_protocol:
            return "INCONSISTENT_GROUP_PROTOCOL";
        case E::invalid_group_id:
            return "INVALID_GROUP_ID";
        case E::unknown_member_id:
            return "UNKNOWN_MEMBER_ID";
        case E::invalid_session_timeout:
            return "INVALID_SESSION_TIMEOUT";
        case E::rebalance_in_progress:
            return "REBALANCE_IN_PROGRESS";
        case E::invalid_commit_offset_size:
            return "INVALID_COMMIT_OFFSET_SIZE";
        case E::topic_authorization_failed:
            return "TOPIC_AUTHORIZATION_FAILED";
        case E::group_authorization_failed:
            return "GROUP_AUTHORIZATION_FAILED";
        case E::cluster_authorization_failed:
            return "CLUSTER_AUTHORIZATION_FAILED";
        case E::invalid_timestamp:
            return "INVALID_TIMESTAMP";
        case E::unsupported_sasl_mechanism:
            return "UNSUPPORTED_SASL_MECHANISM";
        case E::illegal_sasl_state:
            return "ILLEGAL_SASL_STATE";
        case E::unsupported_version:
            return "UNSUPPORTED_VERSION";
        case E::topic_already_exists:
            return "TOPIC_ALREADY_EXISTS";
        case E::invalid_partitions:
            return "INVALID_PARTITIONS";
        case E::invalid_replication_factor:
            return "INVALID_REPLICATION_FACTOR";
        case E::invalid_replica_assignment:
            return "INVALID_REPLICA_ASSIGNMENT";
        case E::invalid_config:
            return "INVALID_CONFIG";
        case E::not_controller:
            return "NOT_CONTROLLER";
        case E::invalid_request:
            return "INVALID_REQUEST";
        case E::unsupported_for_message_format:
            return "UNSUPPORTED_FOR_MESSAGE_FORMAT";
        case E::policy_violation:
            return "POLICY_VIOLATION";
        case E::out_of_order_sequence_number:
            return "OUT_OF_ORDER_SEQUENCE_NUMBER";
        case E::duplicate_sequence_number:
            return "DUPLICATE_SEQUENCE_NUMBER";
        case E::invalid_producer_epoch:
            return "INVALID_PRODUCER_EPOCH";
        case E::invalid_txn_state:
            return "INVALID_TXN_STATE";
        case E::invalid_producer_id_mapping:
            return "INVALID_PRODUCER_ID_MAPPING";
        case E::invalid_transaction_timeout:
            return "INVALID_TRANSACTION_TIMEOUT";
        case E::concurrent_transactions:
            return "CONCURRENT_TRANSACTIONS";
        case E::transaction_coordinator_fenced:
            return "TRANSACTION_COORDINATOR_FENCED";
        case E::transactional_id_authorization_failed:
            return "TRANSACTIONAL_ID_AUTHORIZATION_FAILED";
        case E::security_disabled:
            return "SECURITY_DISABLED";
        case E::operation_not_attempted:
            return "OPERATION_NOT_ATTEMPTED";
        case E::kafka_storage_error:
            return "KAFKA_STORAGE_ERROR";
        case E::log_dir_not_found:
            return "LOG_DIR_NOT_FOUND";
        case E::sasl_authentication_failed:
            return "SASL_AUTHENTICATION_FAILED";
        case E::unknown_producer_id:
            return "UNKNOWN_PRODUCER_ID";
        case E::reassignment_in_progress:
            return "REASSIGNMENT_IN_PROGRESS";
        case E::delegation_token_auth_disabled:
            return "DELEGATION_TOKEN_AUTH_DISABLED";
        case E::delegation_token_not_found:
            return "DELEGATION_TOKEN_NOT_FOUND";
        case E::delegation_token_owner_mismatch:
            return "DELEGATION_TOKEN_OWNER_MISMATCH";
        case E::delegation_token_request_not_allowed:
            return "DELEGATION_TOKEN_REQUEST_NOT_ALLOWED";
        case E::delegation_token_authorization_failed:
            return "DELEGATION_TOKEN_AUTHORIZATION_FAILED";
        case E::delegation_token_expired:
            return "DELEGATION_TOKEN_EXPIRED";
        case E::invalid_principal_type:
            return "INVALID_PRINCIPAL_TYPE";
        case E::non_empty_group:
            return "NON_EMPTY_GROUP";
        case E::group_id_not_found:
            return "GROUP_ID_NOT_FOUND";
        case E::fetch_session_id_not_found:
            return "FETCH_SESSION_ID_NOT_FOUND";
        case E::invalid_fetch_session_epoch:
            return "INVALID_FETCH_SESSION_EPOCH";
        case E::listener_not_found:
            return "LISTENER_NOT_FOUND";
        case E::topic_deletion_disabled:
            return "TOPIC_DELETION_DISABLED";
        case E::fenced_leader_epoch:
            return "FENCED_LEADER_EPOCH";
        case E::unknown_leader_epoch:
            return "UNKNOWN_LEADER_EPOCH";
        case E::unsupported_compression_type:
            return "UNSUPPORTED_COMPRESSION_TYPE";
        case E::stale_broker_epoch:
            return "STALE_BROKER_EPOCH";
        case E::offset_not_available:
            return "OFFSET_NOT_AVAILABLE";
        case E::member_id_required:
            return "MEMBER_ID_REQUIRED";
        case E::preferred_leader_not_available:
            return "PREFERRED_LEADER_NOT_AVAILABLE";
        case E::group_max_size_reached:
            return "GROUP_MAX_SIZE_REACHED";
        case E::fenced_instance_id:
            return "FENCED_INSTANCE_ID";
        case E::eligible_leaders_not_available:
            return "ELIGIBLE_LEADERS_NOT_AVAILABLE";
        case E::election_not_needed:
            return "ELECTION_NOT_NEEDED";
        case E::no_reassignment_in_progress:
            return "NO_REASSIGNMENT_IN_PROGRESS";
        case E::group_subscribed_to_topic:
            return "GROUP_SUBSCRIBED_TO_TOPIC";
        case E::invalid_record:
            return "INVALID_RECORD";
        case E::unstable_offset_commit:
            return "UNSTABLE_OFFSET_COMMIT";
        case E::throttling_quota_exceeded:
            return "THROTTLING_QUOTA_EXCEEDED";
        case E::producer_fenced:
            return "PRODUCER_FENCED";
        case E::resource_not_found:
            return "RESOURCE_NOT_FOUND";
        case E::duplicate_resource:
            return "DUPLICATE_RESOURCE";
        case E::unacceptable_credential:
            return "UNACCEPTABLE_CREDENTIAL";
        case E::inconsistent_voter_set:
            return "INCONSISTENT_VOTER_SET";
        case E::invalid_update_version:
            return "INVALID_UPDATE_VERSION";
        case E::feature_update_failed:
            return "FEATURE_UPDATE_FAILED";
        case E::principal_deserialization_failure:
            return "PRINCIPAL_DESERIALIZATION_FAILURE";
        case E::snapshot_not_found:
            return "SNAPSHOT_NOT_FOUND";
        case E::unknown_topic_id:
            return "UNKNOWN_TOPIC_ID";
        case E::duplicate_broker_registration:
            return "DUPLICATE_BROKER_REGISTRATION";
        case E::broker_id_not_registered:
            return "BROKER_ID_NOT_REGISTERED";
        case E::inconsistent_topic_id:
            return "INCONSISTENT_TOPIC_ID";
        case E::inconsistent_cluster_id:
            return "INCONSISTENT_CLUSTER_ID";
    }
    return "UNKNOWN";
}

namespace {

class KafkaCategory final : public std::error_category {
  public:
    const char* name() const noexcept override { return "kafka"; }
    std::string message(int code) const override {
        return std::string(error_name(static_cast<ErrorCode>(code))) + " (" + std::to_string(code) +
               ")";
    }
};

}  // namespace

const std::error_category& kafka_category() noexcept {
    static const KafkaCategory category;
    return category;
}

}  // namespace samsa::protocol
