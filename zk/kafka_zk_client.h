#pragma once
// KafkaZkClient: Kafka's typed ZooKeeper operations (zk/KafkaZkClient.scala) over a
// ZooKeeperClient, with the znode layout and JSON of zk_data.h.
//
// Every method is synchronous and returns result<T>; they block, so they belong on the
// controller thread and in startup code, never on a network strand or in a ZooKeeper callback.
// They follow ZooKeeperClient's retry policy (connection_loss is retried until the session
// expires or retry_timeout_ms passes); batch reads send all their requests at once.
//
// Fencing (ZK-MODE §b). Every controller write is a multi prefixed by
// check(/controller_epoch, epoch_zk_version): the zkVersion this controller got when it was
// elected. If another broker has been elected since, the check fails and the method returns
// Errc::controller_moved: the caller must resign. Passing kMatchAnyVersion skips the check.
//
// Not yet here, by design (seams): ACL storage (AclZNodes), broker-id generation (/brokers/seqid),
// producer id blocks. Their paths and codecs are in zk_data.h.
//
// Borrows the ZooKeeperClient, which must outlive it. Thread-safe as the client is.

#include "common/result.h"
#include "common/types.h"
#include "zk/broker_info.h"
#include "zk/uuid.h"
#include "zk/zk_data.h"
#include "zk/zookeeper_client.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace samsa::zk {

struct ControllerEpochAndZkVersion {
    ControllerEpoch epoch{0};
    int32_t zk_version = 0;  // /controller_epoch's Stat.version
};

// The outcome of an election attempt that reached ZooKeeper.
struct ControllerRegistration {
    bool elected = false;
    ControllerEpoch epoch{0};                // elected: the new controller epoch
    int32_t epoch_zk_version = 0;            // elected: the version that fences our writes
    BrokerId active_controller = kNoBroker;  // holder of /controller now (-1: none seen)
};

// A broker's registration as ZooKeeper holds it: the JSON, and the session owning the node.
struct BrokerRegistration {
    BrokerInfo info;            // info.epoch is the node's czxid
    int64_t owner_session = 0;  // the ephemeral node's owner (Stat.ephemeralOwner)
};

// Per-partition outcome of update_partition_states. bad_version means the state znode changed
// since it was read: re-read and retry (Kafka's "updatesToRetry").
struct PartitionUpdateResult {
    std::error_code ec;
    int32_t zk_version = 0;  // the state znode's new version on success
};

// A node's data with the zkVersion to write it back at (get_versioned_data).
struct VersionedData {
    static constexpr int32_t kUnknownVersion = -2;  // Kafka's ZkVersion.UnknownVersion: no node
    std::optional<std::string> data;
    int32_t zk_version = kUnknownVersion;
};

class KafkaZkClient {
  public:
    explicit KafkaZkClient(ZooKeeperClient& zk) : zk_(zk) {}
    KafkaZkClient(const KafkaZkClient&) = delete;
    KafkaZkClient& operator=(const KafkaZkClient&) = delete;

    ZooKeeperClient& zookeeper_client() { return zk_; }
    int64_t session_id() const { return zk_.session_id(); }

    // --- Startup ---------------------------------------------------------------------------
    // Makes sure ZkData::persistent_zk_paths() exist; idempotent.
    result<void> create_top_level_paths();
    result<void> make_sure_persistent_path_exists(const std::string& path);
    result<std::optional<std::string>> get_cluster_id();
    // Creates /cluster/id with `proposed` unless it exists; returns the id that is stored.
    result<std::string> get_or_create_cluster_id(const std::string& proposed);

    // --- Brokers ---------------------------------------------------------------------------
    // Creates the ephemeral /brokers/ids/<id> (multi: create with null data + setData at
    // version 0) and returns the broker epoch (its czxid). An existing node owned by this
    // session is kept; one left by our previous, expired session is replaced; any other owner
    // gives Errc::node_exists ("a broker is already registered with id N" is logged).
    result<int64_t> register_broker(const BrokerInfo& info);
    // setData at any version (endpoint changes); the controller sees a BrokerModification.
    result<void> update_broker_info(const BrokerInfo& info);
    result<std::vector<BrokerId>> get_sorted_broker_list(bool watch = false);
    result<std::optional<BrokerInfo>> get_broker(BrokerId id);
    // /brokers/ids/<id> with the session that owns it; nullopt if there is none.
    result<std::optional<BrokerRegistration>> get_broker_registration(BrokerId id);
    // Every registered broker with its epoch (czxid), sorted by id.
    result<std::vector<BrokerInfo>> get_all_brokers();

    // --- Controller ------------------------------------------------------------------------
    result<std::optional<BrokerId>> get_controller_id();
    result<std::optional<ControllerEpochAndZkVersion>> get_controller_epoch();
    // Election steps 2-5 of ZK-MODE §b (step 1, "stop if /controller exists", is the caller's):
    // read /controller_epoch (creating it as "0"), then one multi creating the ephemeral
    // /controller and setting the epoch to E+1 at the version read. On node_exists/bad_version
    // both nodes are read again: we won only if we own /controller and the epoch is E+1.
    result<ControllerRegistration> try_register_controller(BrokerId broker_id,
                                                           int64_t timestamp_ms);

    // KIP-584 (IBP >= 2.7): makes sure /feature exists with status enabled, keeping any
    // finalized features it holds.
    result<void> enable_feature_versioning();

    // --- Topics ----------------------------------------------------------------------------
    // Writes /config/topics/<t> (always, even empty) then /brokers/topics/<t> (version 3).
    // Errc::topic_already_exists if the topic exists or is queued for deletion.
    result<void> create_topic(const std::string& topic, const std::optional<Uuid>& topic_id,
                              const std::map<int32_t, std::vector<BrokerId>>& assignment,
                              const ConfigMap& config);
    result<std::vector<std::string>> get_all_topics(bool watch = false);
    // Topics without a znode are left out.
    result<std::map<std::string, TopicAssignment>> get_topic_assignments(
        const std::vector<std::string>& topics);
    // The topic znode and its version, for a conditional update; nullopt without a node.
    result<std::optional<std::pair<TopicAssignment, int32_t>>> get_topic_assignment_and_version(
        const std::string& topic);
    // Rewrites /brokers/topics/<t> (Kafka's setTopicAssignment, as CreatePartitions uses it),
    // conditional on `expected_version`: Errc::bad_version if someone wrote it since.
    result<void> set_topic_assignment(const std::string& topic, const TopicAssignment& assignment,
                                      int32_t expected_version);
    // Kafka's isTopicMarkedForDeletion: /admin/delete_topics/<t> exists.
    result<bool> is_topic_marked_for_deletion(const std::string& topic);
    result<ConfigMap> get_topic_config(const std::string& topic);
    // Kafka's setOrCreateEntityConfigs: setData, or create (with parents) if missing.
    result<void> set_or_create_entity_configs(std::string_view entity_type,
                                              std::string_view entity_name,
                                              const ConfigMap& config);

    // --- Entity configs and change notifications (kafka_zk_client_configs.cc) -------------------
    // /config/<type>/<name>; empty when there is no node. User and client names must be
    // sanitized by the caller.
    result<ConfigMap> get_entity_configs(std::string_view entity_type,
                                         std::string_view entity_name);
    // The (sanitized) names under /config/<type>.
    result<std::vector<std::string>> get_all_entities(std::string_view entity_type);
    // Kafka's AdminZkClient.changeConfigs: writes the entity node, then a change notification.
    result<void> change_entity_configs(std::string_view entity_type, std::string_view entity_name,
                                       const ConfigMap& config);
    // Creates /config/changes/config_change_<seq> naming "<type>/<name>".
    result<void> create_config_change_notification(std::string_view entity_path);
    // The sequence numbers of /config/changes' config_change_* children, sorted, arming the
    // child watch when `watch`.
    result<std::vector<std::string>> get_config_change_notifications(bool watch);
    // The entity path a notification names; nullopt if it is gone.
    result<std::optional<std::string>> get_config_change_notification(
        const std::string& sequence_number);
    // Deletes those of the notifications created more than `max_age_ms` before `now_ms`
    // (Kafka's purgeObsoleteNotifications: every broker has applied them by then).
    result<void> purge_config_change_notifications(const std::vector<std::string>& sequence_numbers,
                                                   int64_t now_ms, int64_t max_age_ms);

    // --- Partition state (controller writes are fenced) -----------------------------------------
    // Partitions without a state znode are left out; zk_version is filled in.
    result<std::map<TopicPartition, LeaderIsrAndControllerEpoch>> get_partition_states(
        const std::vector<TopicPartition>& partitions);
    // Creates partitions/<p>/state (and the partitions/<p> parents). Per partition: empty or
    // the create's error (node_exists...). Errc::controller_moved if fenced off.
    result<std::map<TopicPartition, std::error_code>> create_partition_states(
        const std::map<TopicPartition, LeaderIsrAndControllerEpoch>& states,
        int32_t expected_controller_epoch_zk_version);
    // Conditional setData of each state at leader_and_isr.zk_version.
    result<std::map<TopicPartition, PartitionUpdateResult>> update_partition_states(
        const std::map<TopicPartition, LeaderIsrAndControllerEpoch>& states,
        int32_t expected_controller_epoch_zk_version);

    // --- ISR changes written by partition leaders (the classic path, ZK-MODE §c) -------------
    // A leader's conditional setData of one partition's state at `state.leader_and_isr.zk_version`
    // (not fenced by the controller epoch: leaders are fenced by the zkVersion alone). Returns
    // the new version, or Errc::bad_version when the state changed since the leader read it.
    result<int32_t> update_leader_and_isr(const TopicPartition& tp,
                                          const LeaderIsrAndControllerEpoch& state);
    // Creates a persistent sequential /isr_change_notification/isr_change_<seq> listing
    // `partitions`, which the controller watches to refresh its metadata.
    result<void> propagate_isr_changes(const std::vector<TopicPartition>& partitions);

    // --- ISR change notifications, the controller's side (Kafka's IsrChangeNotificationHandler) -
    // The sequence numbers ("0000000042") of /isr_change_notification's isr_change_* children,
    // arming a child watch when `watch` (Kafka's getAllIsrChangeNotifications).
    result<std::vector<std::string>> get_all_isr_change_notifications(bool watch = true);
    // Every partition the notifications name, in notification order and possibly repeated.
    // Notifications deleted since the listing are skipped, and so are malformed ones (logged):
    // they are deleted with the others (Kafka's getPartitionsFromIsrChangeNotifications).
    result<std::vector<TopicPartition>> get_partitions_from_isr_change_notifications(
        const std::vector<std::string>& sequence_numbers);
    // Deletes these notifications, each delete fenced; ones already gone are fine.
    result<void> delete_isr_change_notifications(const std::vector<std::string>& sequence_numbers,
                                                 int32_t expected_controller_epoch_zk_version);
    // Deletes every notification there is and arms the child watch (the controller's failover).
    result<void> delete_isr_change_notifications(int32_t expected_controller_epoch_zk_version);

    // --- Topic deletion --------------------------------------------------------------------
    // Creates /admin/delete_topics/<t>; node_exists if already queued.
    result<void> create_delete_topic_node(const std::string& topic);
    result<std::vector<std::string>> get_delete_topic_nodes(bool watch = false);
    // Deletes /brokers/topics/<t> recursively, /config/topics/<t> and /admin/delete_topics/<t>,
    // each delete fenced. Missing nodes are fine.
    result<void> delete_topic_znodes(const std::string& topic,
                                     int32_t expected_controller_epoch_zk_version);

    // --- Preferred replica election (/admin/preferred_replica_election) -----------------------
    // The partitions the node lists; nullopt when there is no node. A malformed node is
    // Errc::malformed_data.
    result<std::optional<std::vector<TopicPartition>>> get_preferred_replica_election();
    // Deletes the node, fenced; a missing node is fine.
    result<void> delete_preferred_replica_election(int32_t expected_controller_epoch_zk_version);

    // --- Partition reassignment (KIP-455; kafka_zk_client_reassignment.cc) ----------------------
    // Rewrites /brokers/topics/<t> (version 3) with every partition's full assignment, fenced.
    result<void> set_topic_assignment(const std::string& topic, const std::optional<Uuid>& topic_id,
                                      const std::map<int32_t, ReplicaAssignment>& partitions,
                                      int32_t expected_controller_epoch_zk_version);
    // The targets /admin/reassign_partitions lists; nullopt when there is no node. A malformed
    // node is Errc::malformed_data.
    result<std::optional<std::map<TopicPartition, std::vector<BrokerId>>>>
    get_partition_reassignment();
    // Sets the node's targets, creating it if it is gone; fenced.
    result<void> set_or_create_partition_reassignment(
        const std::map<TopicPartition, std::vector<BrokerId>>& targets,
        int32_t expected_controller_epoch_zk_version);
    // Deletes the node, fenced; a missing node is fine.
    result<void> delete_partition_reassignment(int32_t expected_controller_epoch_zk_version);

    // --- ACLs (AclAuthorizer's store, Kafka's ZkAclStore; kafka_zk_client_acls.cc) ------------
    // Paths are AclZNodes'; the content is auth/acl_json.h's, opaque here.
    // Kafka's createAclPaths: both stores with a node per resource type, both change paths.
    result<void> create_acl_paths(const std::vector<std::string>& resource_types);
    // The node's data and zkVersion; data nullopt and version kUnknownVersion without a node.
    result<VersionedData> get_versioned_data(const std::string& path);
    // Conditional writes for the read-modify-write of one resource's ACLs: false when the node
    // changed (bad_version) or appeared (node_exists) since it was read, so the caller re-reads.
    result<bool> conditional_set_data(const std::string& path, const std::string& data,
                                      int32_t expected_version);
    result<bool> create_if_not_exists(const std::string& path, const std::string& data);
    // A node already gone counts as deleted.
    result<bool> conditional_delete(const std::string& path, int32_t expected_version);
    // Creates <change_path(prefixed)>/acl_changes_<seq> with `data`.
    result<void> create_acl_change_notification(bool prefixed, const std::string& data);

    // --- Watches (the controller's) ------------------------------------------------------------
    // Registers `handler` and arms an exists watch; true if the node exists now.
    result<bool> register_znode_change_handler_and_check_existence(
        std::shared_ptr<ZNodeChangeHandler> handler, Executor executor);
    // Empty when the node does not exist.
    result<std::vector<std::string>> get_children(const std::string& path, bool watch = false);
    result<std::optional<Stat>> exists(const std::string& path, bool watch = false);

  private:
    result<int64_t> checked_ephemeral_create(const std::string& path, const std::string& data);
    result<ControllerEpochAndZkVersion> maybe_create_controller_epoch_znode();
    result<ControllerRegistration> check_controller_and_epoch(BrokerId broker_id,
                                                              ControllerEpoch expected);
    // Sends every op as its own multi, prefixed by the epoch check unless the version is
    // kMatchAnyVersion; returns each op's result, or controller_moved.
    result<std::vector<OpResult>> fenced(std::vector<Op> ops, int32_t epoch_zk_version);
    // One multi per group (each prefixed by the controller epoch check when fenced); each
    // group's results without the check's.
    result<std::vector<std::vector<OpResult>>> multis(const std::vector<std::vector<Op>>& groups,
                                                      int32_t epoch_zk_version);
    result<void> delete_recursive(const std::string& path, int32_t epoch_zk_version);

    ZooKeeperClient& zk_;
};

}  // namespace samsa::zk
