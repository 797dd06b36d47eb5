#pragma once
// ZkData: Kafka's znode layout, one small struct per znode with its path builder and codec
// (Kafka 2.8 zk/ZkData.scala; layout restated in ZK-MODE §a). Other Kafka tooling reads what we
// write, so paths, JSON keys, value types and versions are Kafka's exactly.
//
// Formats (JSON is compact UTF-8; key order is free, ours follows Kafka's examples):
//   /cluster/id                    {"version":"1","id":"<22-char base64url uuid>"}  version is a
//   string /controller          ephemeral {"version":1,"brokerid":2,"timestamp":"1700000000000"}
//   /controller_epoch              decimal text "7"; created as "0"
//   /brokers/ids/<id>    ephemeral {"version":5,"host":"h","port":9092,"jmx_port":-1,
//                                   "timestamp":"1700000000000","endpoints":["CLIENT://h:9092"],
//                                   "listener_security_protocol_map":{"CLIENT":"PLAINTEXT"},
//                                   "rack":"r1","features":{}}
//                                  host/port = first PLAINTEXT endpoint, else null/-1; rack only
//                                  when set; features from version 5. Read versions 1..5:
//                                  v1 host+port only; v2/v3 endpoints named by protocol (v3 rack);
//                                  v4 listener_security_protocol_map.
//   /brokers/topics/<t>            {"version":3,"topic_id":"<uuid>","partitions":{"0":[1,2]},
//                                   "adding_replicas":{},"removing_replicas":{}}
//                                  topic_id optional; read versions 1..3 (keys optional)
//   .../partitions/<p>/state       {"controller_epoch":3,"leader":1,"version":1,"leader_epoch":5,
//                                   "isr":[1,2,3]}
//   /config/<type>/<name>          {"version":1,"config":{"retention.ms":"86400000"}} (string
//   values) /config/changes/config_change_<seq>   {"version":2,"entity_path":"topics/t"}
//   /admin/delete_topics/<t>       null data
//   /admin/reassign_partitions     {"version":1,"partitions":[{"topic":"t","partition":0,
//                                   "replicas":[1,2]}]}
//   /isr_change_notification/isr_change_<seq>
//                                  {"version":1,"partitions":[{"topic":"t","partition":0}]}
//
// Decoders return Errc::malformed_data for content that is not in these forms.

#include "common/result.h"
#include "common/types.h"
#include "zk/broker_info.h"
#include "zk/uuid.h"
#include "zk/zk_errc.h"
#include "zk/zk_requests.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace samsa::zk {

using ConfigMap = std::map<std::string, std::string>;

// Replica lists of one partition. While a reassignment runs, `replicas` = target + (original -
// target), `adding_replicas` = target - original, `removing_replicas` = original - target.
struct ReplicaAssignment {
    std::vector<BrokerId> replicas;  // the first one is the preferred leader
    std::vector<BrokerId> adding_replicas;
    std::vector<BrokerId> removing_replicas;

    friend bool operator==(const ReplicaAssignment&, const ReplicaAssignment&) = default;
};

struct TopicAssignment {
    std::optional<Uuid> topic_id;  // absent in registrations before Kafka 2.8
    std::map<int32_t, ReplicaAssignment> partitions;

    friend bool operator==(const TopicAssignment&, const TopicAssignment&) = default;
};

// Kafka's LeaderAndIsr: zk_version is the state znode's version (the expected version of the
// next conditional update), not part of the JSON.
struct LeaderAndIsr {
    BrokerId leader = kNoBroker;
    LeaderEpoch leader_epoch{0};
    std::vector<BrokerId> isr;
    int32_t zk_version = 0;

    friend bool operator==(const LeaderAndIsr&, const LeaderAndIsr&) = default;
};

struct LeaderIsrAndControllerEpoch {
    LeaderAndIsr leader_and_isr;
    ControllerEpoch controller_epoch{0};

    friend bool operator==(const LeaderIsrAndControllerEpoch&,
                           const LeaderIsrAndControllerEpoch&) = default;
};

// ---- Top level -------------------------------------------------------------------------------

struct ZkData {
    // The empty persistent nodes every broker makes sure of at startup, in Kafka's order.
    static const std::vector<std::string>& persistent_zk_paths();
    // Paths whose nodes hide their content from the world under zookeeper.set.acl
    // (/config/users, /config/brokers, /delegation_token and below).
    static bool is_sensitive_path(std::string_view path);
    // Kafka's ZkData.defaultAcls: open unless `secure`; then CREATOR_ALL, plus world READ for
    // non-sensitive paths; /consumers always stays open.
    static std::vector<Acl> default_acls(bool secure, std::string_view path);
};

struct ConsumerPathZNode {
    static std::string path() { return "/consumers"; }
};

struct ClusterZNode {
    static std::string path() { return "/cluster"; }
};

struct ClusterIdZNode {
    static std::string path() { return "/cluster/id"; }
    static std::string encode(std::string_view cluster_id);
    static result<std::string> decode(std::string_view data);
};

struct ControllerZNode {
    static std::string path() { return "/controller"; }
    static std::string encode(BrokerId broker_id, int64_t timestamp_ms);
    // Also accepts the bare integer written by very old brokers.
    static result<BrokerId> decode(std::string_view data);
};

struct ControllerEpochZNode {
    static std::string path() { return "/controller_epoch"; }
    static std::string encode(ControllerEpoch epoch);
    static result<ControllerEpoch> decode(std::string_view data);
};

// ---- Brokers ---------------------------------------------------------------------------------

struct BrokersZNode {
    static std::string path() { return "/brokers"; }
};

struct BrokerIdsZNode {
    static std::string path() { return "/brokers/ids"; }
};

struct BrokerIdZNode {
    static std::string path(BrokerId id);
    // Writes `info.version` (5, or 4 without features) with `timestamp_ms`.
    static std::string encode(const BrokerInfo& info, int64_t timestamp_ms);
    // Reads versions 1..5; the epoch is left at -1 (it is the znode's czxid, not JSON).
    static result<BrokerInfo> decode(BrokerId id, std::string_view data);
};

struct BrokerSequenceIdZNode {
    static std::string path() { return "/brokers/seqid"; }
};

// ---- Topics and partitions -------------------------------------------------------------------

struct TopicsZNode {
    static std::string path() { return "/brokers/topics"; }
};

struct TopicZNode {
    static std::string path(std::string_view topic);
    // Version 3; "topic_id" only when given.
    static std::string encode(const std::optional<Uuid>& topic_id,
                              const std::map<int32_t, ReplicaAssignment>& partitions);
    static result<TopicAssignment> decode(std::string_view data);
};

struct TopicPartitionsZNode {
    static std::string path(std::string_view topic);
};

struct TopicPartitionZNode {
    static std::string path(const TopicPartition& tp);
};

struct TopicPartitionStateZNode {
    static std::string path(const TopicPartition& tp);
    static std::string encode(const LeaderIsrAndControllerEpoch& state);
    // `zk_version` (the znode's Stat.version) goes into leader_and_isr.zk_version.
    static result<LeaderIsrAndControllerEpoch> decode(std::string_view data, int32_t zk_version);
};

// ---- Configs ---------------------------------------------------------------------------------

// Entity types under /config, in Kafka's ConfigType.all order.
inline constexpr std::string_view kConfigTypeTopic = "topics";
inline constexpr std::string_view kConfigTypeClient = "clients";
inline constexpr std::string_view kConfigTypeUser = "users";
inline constexpr std::string_view kConfigTypeBroker = "brokers";
inline constexpr std::string_view kConfigTypeIp = "ips";

struct ConfigZNode {
    static std::string path() { return "/config"; }
};

struct ConfigEntityTypeZNode {
    static std::string path(std::string_view entity_type);
};

// Entity names of users and clients must already be sanitized (URL-encoded, Kafka's
// Sanitizer) by the caller; topics and broker ids are used as they are.
struct ConfigEntityZNode {
    static std::string path(std::string_view entity_type, std::string_view entity_name);
    static std::string encode(const ConfigMap& config);
    // Null or empty data reads as an empty config (Kafka's fetchEntityConfig).
    static result<ConfigMap> decode(const std::optional<std::string>& data);
};

struct ConfigEntityChangeNotificationZNode {
    static std::string path() { return "/config/changes"; }
};

// Seam for dynamic config changes (written after /config/<type>/<name>, read by every broker).
struct ConfigEntityChangeNotificationSequenceZNode {
    static constexpr std::string_view kSequenceNumberPrefix = "config_change_";
    static std::string path(std::string_view sequence_number = "");
    static std::string encode(std::string_view entity_path);  // "topics/t", "users/alice"
    // Version 2, and version 1's {"entity_type":..,"entity_name":..} as "<type>/<name>".
    static result<std::string> decode(std::string_view data);
};

// ---- Admin -----------------------------------------------------------------------------------

struct AdminZNode {
    static std::string path() { return "/admin"; }
};

struct DeleteTopicsZNode {
    static std::string path() { return "/admin/delete_topics"; }
};

struct DeleteTopicsTopicZNode {
    static std::string path(std::string_view topic);
};

// Written by kafka-reassign-partitions.sh (the pre-KIP-455 path): the target replicas of the
// partitions to move. The controller removes each entry once its move completes (or fails) and
// deletes the node when none is left.
// {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2,3]}]}
struct ReassignPartitionsZNode {
    static std::string path() { return "/admin/reassign_partitions"; }
    static std::string encode(const std::map<TopicPartition, std::vector<BrokerId>>& targets);
    static result<std::map<TopicPartition, std::vector<BrokerId>>> decode(std::string_view data);
};

// Written by kafka-preferred-replica-election.sh (the pre-ElectLeaders path); the controller
// elects the preferred replicas of the partitions it lists, then deletes it.
// {"version":1,"partitions":[{"topic":"t","partition":0}]}
struct PreferredReplicaElectionZNode {
    static std::string path() { return "/admin/preferred_replica_election"; }
    static std::string encode(const std::vector<TopicPartition>& partitions);
    static result<std::vector<TopicPartition>> decode(std::string_view data);
};

// ---- Notifications and other seams -----------------------------------------------------------

struct IsrChangeNotificationZNode {
    static std::string path() { return "/isr_change_notification"; }
};

// Seam for the classic ISR path (IBP < 2.7): leaders write these, the controller watches them.
struct IsrChangeNotificationSequenceZNode {
    static constexpr std::string_view kSequenceNumberPrefix = "isr_change_";
    static std::string path(std::string_view sequence_number = "");
    static std::string encode(const std::vector<TopicPartition>& partitions);
    static result<std::vector<TopicPartition>> decode(std::string_view data);
};

struct LogDirEventNotificationZNode {
    static std::string path() { return "/log_dir_event_notification"; }
};

// The last block of producer ids handed to a broker (Kafka's ProducerIdBlockZNode):
// {"version":1,"broker":2,"block_start":"1000","block_end":"1999"}, bounds inclusive and
// written as strings.
struct ProducerIdBlock {
    int32_t broker = -1;
    int64_t block_start = 0;
    int64_t block_end = 0;
};

struct ProducerIdBlockZNode {
    static std::string path() { return "/latest_producer_id_block"; }
    static std::string encode(const ProducerIdBlock& block);
    static result<ProducerIdBlock> decode(std::string_view data);
};

// KIP-584 feature versioning, enabled by the controller from IBP 2.7 on:
// {"version":1,"status":1,"features":{}} (status 0 = disabled, 1 = enabled).
struct FeatureZNode {
    static std::string path() { return "/feature"; }
    static constexpr int kEnabled = 1;
    // The node with `status` and the finalized features of `data` kept (none if empty).
    static std::string encode(int status, std::string_view features_json = "{}");
    // (status, the "features" object as JSON text).
    static result<std::pair<int, std::string>> decode(std::string_view data);
};

// Seam for AclAuthorizer's store (Kafka's ZkAclStore): literal patterns under /kafka-acl,
// prefixed ones under /kafka-acl-extended/prefixed; resource types are PascalCase ("Topic").
struct AclZNodes {
    // /kafka-acl or /kafka-acl-extended/prefixed.
    static std::string store_path(bool prefixed);
    // <store>/<ResourceType>.
    static std::string type_path(bool prefixed, std::string_view resource_type);
    static std::string resource_path(bool prefixed, std::string_view resource_type,
                                     std::string_view resource_name);
    static std::string change_path(
        bool prefixed);  // /kafka-acl-changes, /kafka-acl-extended-changes
    // Change nodes are <change_path>/acl_changes_<10-digit sequence>.
    static constexpr std::string_view kChangePrefix = "acl_changes_";
};

}  // namespace samsa::zk
