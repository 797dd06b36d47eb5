#include "broker/controller/kafka_controller.h"

#include "broker/controller/controller_channel_manager.h"
#include "broker/controller/controller_request_batch.h"
#include "broker/controller/controller_zk_handlers.h"
#include "broker/controller/partition_state_machine.h"
#include "broker/controller/zk_conversions.h"
#include "common/logging.h"
#include "zk/kafka_zk_client.h"
#include "zk/zk_data.h"
#include "zk/zookeeper_client.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <utility>

namespace samsa::controller {

namespace {

auto& logger() {
    static auto l = get_logger("controller");
    return *l;
}

const std::string kControllerPath = "/controller";
const std::string kBrokerIdsPath = "/brokers/ids";
const std::string kTopicsPath = "/brokers/topics";
const std::string kDeleteTopicsPath = "/admin/delete_topics";
const std::string kIsrChangeNotificationPath = zk::IsrChangeNotificationZNode::path();
const std::string kPreferredReplicaElectionPath = zk::PreferredReplicaElectionZNode::path();
const std::string kReassignPartitionsPath = zk::ReassignPartitionsZNode::path();
// Kafka starts the auto leader rebalance task this long after failover.
constexpr std::chrono::seconds kFirstAutoLeaderRebalanceDelay{5};

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

// The controller's ZooKeeper handlers, kept together so resignation can drop them all.
class KafkaController::Watches {
  public:
    explicit Watches(KafkaController& c) : c_(c) {}

    void put(std::string name, std::function<void()> f) {
        c_.events_.put({std::move(name), std::move(f)});
    }

    void register_controller_watch() {
        auto h = std::make_shared<DataWatch>(
            kControllerPath,
            [this] { put("ControllerChange", [this] { c_.process_controller_change(); }); },
            [this] { put("Reelect", [this] { c_.process_reelect(); }); });
        c_.zk_client_.register_znode_change_handler(h, zk::inline_executor());
    }

    void register_session_watch() {
        auto h = std::make_shared<SessionWatch>(
            [this] {
                // Kafka's clearAndPut(Expire) + awaitProcessing: resign before the new session.
                auto done = std::make_shared<std::promise<void>>();
                auto fut = done->get_future();
                c_.events_.clear_and_put({"Expire", [this, done] {
                                              c_.process_expire();
                                              done->set_value();
                                          }});
                fut.wait_for(std::chrono::seconds(30));
            },
            [this] {
                put("RegisterBrokerAndReelect", [this] { c_.process_register_and_reelect(); });
            });
        c_.zk_client_.register_state_change_handler(h);
    }

    void register_failover_watches() {
        c_.zk_client_.register_znode_child_change_handler(
            std::make_shared<ChildWatch>(
                kBrokerIdsPath,
                [this] { put("BrokerChange", [this] { c_.process_broker_change(); }); }),
            zk::inline_executor());
        c_.zk_client_.register_znode_child_change_handler(
            std::make_shared<ChildWatch>(
                kTopicsPath, [this] { put("TopicChange", [this] { c_.process_topic_change(); }); }),
            zk::inline_executor());
        c_.zk_client_.register_znode_child_change_handler(
            std::make_shared<ChildWatch>(
                kDeleteTopicsPath,
                [this] { put("TopicDeletion", [this] { c_.process_topic_deletion(); }); }),
            zk::inline_executor());
        c_.zk_client_.register_znode_child_change_handler(
            std::make_shared<ChildWatch>(kIsrChangeNotificationPath,
                                         [this] {
                                             put("IsrChangeNotification",
                                                 [this] { c_.process_isr_change_notification(); });
                                         }),
            zk::inline_executor());
        // Kafka's PreferredReplicaElectionHandler: an exists watch, armed by the event itself.
        c_.zk_client_.register_znode_change_handler(
            std::make_shared<DataWatch>(
                kPreferredReplicaElectionPath,
                [this] {
                    put("ReplicaLeaderElection",
                        [this] { c_.process_preferred_replica_election_znode(); });
                },
                [] {}),
            zk::inline_executor());
        c_.zk_client_.register_znode_change_handler(
            std::make_shared<CreationWatch>(kReassignPartitionsPath,
                                            [this] {
                                                put("ZkPartitionReassignment", [this] {
                                                    c_.process_zk_partition_reassignment();
                                                });
                                            }),
            zk::inline_executor());
    }

    void register_topic_watch(const std::string& topic) {
        auto path = zk::TopicZNode::path(topic);
        auto on_change = [this, topic] {
            put("PartitionModifications",
                [this, topic] { c_.process_partition_modifications(topic); });
        };
        c_.zk_client_.register_znode_change_handler(
            std::make_shared<DataWatch>(path, on_change, [] {}), zk::inline_executor());
        topic_watches_.insert(topic);
    }

    void unregister_topic_watch(const std::string& topic) {
        c_.zk_client_.unregister_znode_change_handler(zk::TopicZNode::path(topic));
        topic_watches_.erase(topic);
    }

    void unregister_failover_watches() {
        c_.zk_client_.unregister_znode_child_change_handler(kBrokerIdsPath);
        c_.zk_client_.unregister_znode_child_change_handler(kTopicsPath);
        c_.zk_client_.unregister_znode_child_change_handler(kDeleteTopicsPath);
        c_.zk_client_.unregister_znode_child_change_handler(kIsrChangeNotificationPath);
        c_.zk_client_.unregister_znode_change_handler(kPreferredReplicaElectionPath);
        c_.zk_client_.unregister_znode_change_handler(kReassignPartitionsPath);
        for (const auto& t : std::set<std::string>(topic_watches_)) {
            unregister_topic_watch(t);
        }
    }

    void unregister_all() {
        unregister_failover_watches();
        c_.zk_client_.unregister_znode_change_handler(kControllerPath);
        c_.zk_client_.unregister_state_change_handler("controller-state-change-handler");
    }

  private:
    KafkaController& c_;
    std::set<std::string> topic_watches_;
};

KafkaController::KafkaController(ControllerConfig config, zk::ZooKeeperClient& zk_client,
                                 zk::KafkaZkClient& zk, zk::BrokerInfo registration,
                                 std::function<void(int64_t)> on_registered)
    : config_(std::move(config)),
      zk_client_(zk_client),
      zk_(zk),
      registration_(std::move(registration)),
      on_registered_(std::move(on_registered)),
      watches_(std::make_unique<Watches>(*this)) {
    register_metrics();
}

KafkaController::~KafkaController() {
    shutdown();
}

void KafkaController::startup() {
    watches_->register_session_watch();
    watches_->register_controller_watch();
    events_.start();
    events_.put({"Startup", [this] { elect(); }});
}

void KafkaController::shutdown() {
    if (shut_down_.exchange(true)) {
        return;
    }
    watches_->unregister_all();
    events_.shutdown({"Shutdown", [this] { on_controller_resignation(); }});
}

bool KafkaController::guarded(const char* what, const std::function<result<void>()>& step) {
    auto r = step();
    if (r) {
        return true;
    }
    if (r.error() == zk::Errc::controller_moved) {
        logger().warn("{}: another controller was elected; resigning", what);
        on_controller_resignation();
        active_controller_id_ = -1;
        process_controller_change();
    } else {
        logger().error("{} failed: {}", what, r.error().message());
    }
    return false;
}

// ---- Election and resignation ------------------------------------------------------------

void KafkaController::elect() {
    // Arm the watch on /controller, then see who holds it (ZK-MODE §b Election, step 1).
    auto exists = zk_.exists(kControllerPath, /*watch=*/true);
    auto holder = zk_.get_controller_id();
    if (!exists || !holder) {
        logger().error("cannot read /controller: {}",
                       (!exists ? exists.error() : holder.error()).message());
        return;
    }
    if (holder.value()) {
        active_controller_id_ = holder.value()->value();
        logger().info("broker {} is the controller", active_controller_id_.load());
        return;
    }
    auto won = zk_.try_register_controller(BrokerId{config_.broker_id}, now_ms());
    if (!won) {
        logger().error("controller election failed: {}", won.error().message());
        return;
    }
    if (!won.value().elected) {
        active_controller_id_ = won.value().active_controller.value();
        logger().info("broker {} won the controller election", active_controller_id_.load());
        return;
    }
    context_.epoch = won.value().epoch.value();
    context_.epoch_zk_version = won.value().epoch_zk_version;
    active_controller_id_ = config_.broker_id;
    logger().info("elected controller with epoch {} (zkVersion {})", context_.epoch,
                  context_.epoch_zk_version);
    on_controller_failover();
}

void KafkaController::process_controller_change() {
    auto exists = zk_.exists(kControllerPath, /*watch=*/true);
    auto holder = zk_.get_controller_id();
    int32_t id = holder && holder.value() ? holder.value()->value() : -1;
    (void)exists;
    maybe_resign_unless(id);
}

void KafkaController::process_reelect() {
    maybe_resign_unless(-1);
    elect();
}

void KafkaController::maybe_resign_unless(int32_t now_active) {
    const bool was_active = channels_ != nullptr;
    active_controller_id_ = now_active;
    if (was_active && now_active != config_.broker_id) {
        logger().info("controller moved to broker {}; resigning", now_active);
        on_controller_resignation();
    }
}

void KafkaController::process_expire() {
    logger().warn("ZooKeeper session expired; resigning as controller if active");
    on_controller_resignation();
    active_controller_id_ = -1;
}

void KafkaController::process_register_and_reelect() {
    auto epoch = zk_.register_broker(registration_);
    if (!epoch) {
        logger().error("cannot register broker {} again after session expiry: {}",
                       config_.broker_id, epoch.error().message());
    } else {
        logger().info("registered broker {} again with epoch {}", config_.broker_id, epoch.value());
        on_registered_(epoch.value());
    }
    elect();
}

void KafkaController::on_controller_resignation() {
    active_ = false;
    if (!channels_) {
        return;
    }
    watches_->unregister_failover_watches();
    unwatch_all_reassignment_isrs();
    channels_->shutdown();
    partitions_.reset();
    batch_.reset();
    channels_.reset();
    deletion_pending_.clear();
    context_.reset();
    logger().info("resigned as controller");
}

// ---- Failover -----------------------------------------------------------------------------

namespace {

// Durations of the failover's phases, logged at its end: what an operator (and the metadata
// benchmark) needs to see where a slow failover spent its time.
class PhaseTimer {
  public:
    void mark(const char* phase) {
        const auto now = std::chrono::steady_clock::now();
        phases_ +=
            fmt::format("{}{} {} ms", phases_.empty() ? "" : ", ", phase,
                        std::chrono::duration_cast<std::chrono::milliseconds>(now - last_).count());
        last_ = now;
    }
    const std::string& phases() const { return phases_; }

  private:
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
    std::string phases_;
};

}  // namespace

void KafkaController::on_controller_failover() {
    PhaseTimer timer;
    channels_ = std::make_unique<ControllerChannelManager>(
        config_.broker_id, config_.socket_timeout, config_.channel_security);
    batch_ = std::make_unique<ControllerRequestBatch>(context_, *channels_, config_.broker_id,
                                                      config_.inter_broker_listener);
    partitions_ = std::make_unique<PartitionStateMachine>(context_, zk_, *batch_,
                                                          config_.unclean_leader_election_enable);
    watches_->register_failover_watches();
    // IBP 2.8 behaviour (KIP-584): the controller turns feature versioning on.
    guarded("enabling feature versioning", [&] { return zk_.enable_feature_versioning(); });
    // Notifications left from before name partitions whose state znodes the context is about to
    // read anyway, and every broker then hears about every partition: deleting them is all the
    // processing they need (Kafka's failover step 3). This also arms the child watch.
    guarded("deleting ISR change notifications",
            [&] { return zk_.delete_isr_change_notifications(context_.epoch_zk_version); });
    if (!channels_ ||
        !guarded("loading the controller context", [&] { return initialize_context(); })) {
        return;
    }
    timer.mark("context loaded");
    // Active before the first UpdateMetadata names this broker the controller: a client that
    // reads that and sends CreateTopics here at once must not be told NOT_CONTROLLER (admin
    // requests only write znodes, which the watches just armed will bring back to this thread).
    active_ = true;
    std::vector<TopicPartition> all;
    for (const auto& [tp, r] : context_.assignments) {
        all.push_back(tp);
    }
    // Every live broker learns the cluster; then each hears about the replicas it hosts.
    send_update_metadata(context_.live_or_shutting_down_broker_ids(), all);
    for (int32_t broker : context_.live_broker_ids()) {
        for (const auto& tp : context_.partitions_on_broker(broker)) {
            auto l = context_.leadership.find(tp);
            if (l != context_.leadership.end() &&
                !context_.topics_to_be_deleted.contains(tp.topic)) {
                batch_->add_leader_and_isr({broker}, tp, l->second, false);
            }
        }
    }
    // Replicas on brokers that are gone leave the ISRs (Kafka's ReplicaStateMachine.startup:
    // "all other replicas → Offline"), then partitions without a live leader are elected.
    std::map<int32_t, std::vector<TopicPartition>> offline_replicas;
    for (const auto& [tp, replicas] : context_.assignments) {
        for (int32_t r : replicas) {
            if (!context_.is_live_or_shutting_down(r) &&
                !context_.topics_to_be_deleted.contains(tp.topic)) {
                offline_replicas[r].push_back(tp);
            }
        }
    }
    for (const auto& [broker, tps] : offline_replicas) {
        guarded("shrinking ISRs",
                [&] { return partitions_->remove_replica_from_isr(broker, tps); });
    }
    timer.mark("offline replicas out of ISRs");
    partitions_->initialize_states();
    guarded("electing leaders", [&] { return partitions_->trigger_online_state_change(); });
    timer.mark("leaders elected");
    send_batch();
    timer.mark("requests queued");
    // Moves asked for through the znode meanwhile, and those the topic znodes show unfinished.
    initialize_partition_reassignments();
    resume_deletions();
    // Elections asked for through the znode while no controller was watching it (this also
    // arms the watch).
    if (channels_) {
        process_preferred_replica_election_znode();
    }
    if (channels_ && config_.auto_leader_rebalance_enable) {
        schedule_auto_leader_rebalance_task(kFirstAutoLeaderRebalanceDelay);
    }
    active_ = channels_ != nullptr;
    logger().info("controller failover complete: {} live brokers, {} topics, {} partitions ({})",
                  context_.live_brokers.size(), context_.all_topics.size(),
                  context_.assignments.size(), timer.phases());
}

result<void> KafkaController::initialize_context() {
    SAMSA_TRY(zk_.get_children(kBrokerIdsPath, /*watch=*/true));
    SAMSA_TRY(auto brokers, zk_.get_all_brokers());
    for (const auto& b : brokers) {
        context_.live_brokers[b.id.value()] = b;
        add_broker_channel(b);
    }
    SAMSA_TRY(auto topics, zk_.get_all_topics(/*watch=*/true));
    SAMSA_TRY(auto assignments, zk_.get_topic_assignments(topics));
    std::vector<TopicPartition> partitions;
    for (const auto& [topic, a] : assignments) {
        auto tps = track_topic(topic, a);
        partitions.insert(partitions.end(), tps.begin(), tps.end());
    }
    SAMSA_TRY(auto states, zk_.get_partition_states(partitions));
    for (const auto& [tp, s] : states) {
        context_.leadership[tp] = from_zk(s);
    }
    SAMSA_TRY(auto deleting, zk_.get_delete_topic_nodes(/*watch=*/true));
    for (const auto& t : deleting) {
        if (context_.all_topics.contains(t) && config_.delete_topic_enable) {
            context_.topics_to_be_deleted.insert(t);
        }
    }
    return success();
}

void KafkaController::add_broker_channel(const zk::BrokerInfo& broker) {
    const auto* ep = broker.endpoint(config_.inter_broker_listener);
    if (!ep) {
        logger().error("broker {} has no endpoint on the inter-broker listener {}",
                       broker.id.value(), config_.inter_broker_listener);
        return;
    }
    channels_->add_broker(broker.id.value(),
                          BrokerEndpoint{ep->host, static_cast<uint16_t>(ep->port)});
}

void KafkaController::send_update_metadata(const std::vector<int32_t>& brokers,
                                           const std::vector<TopicPartition>& partitions) {
    batch_->add_update_metadata(brokers, partitions);
    send_batch();
}

void KafkaController::send_batch() {
    batch_->send([this](int32_t broker, const ControlResponse& response) {
        const auto* stop = std::get_if<protocol::StopReplicaResponseData>(&response);
        if (!stop) {
            return;
        }
        std::map<TopicPartition, int16_t> errors;
        for (const auto& e : stop->partition_errors) {
            errors[TopicPartition{e.topic_name, e.partition_index}] =
                stop->error_code != 0 ? stop->error_code : e.error_code;
        }
        events_.put({"StopReplicaResponse",
                     [this, broker, errors] { process_stop_replica_response(broker, errors); }});
    });
}

// ---- Brokers ------------------------------------------------------------------------------

void KafkaController::process_broker_change() {
    if (!channels_) {
        return;
    }
    auto children = zk_.get_children(kBrokerIdsPath, /*watch=*/true);
    auto brokers = zk_.get_all_brokers();
    if (!children || !brokers) {
        logger().error("cannot read the live brokers");
        return;
    }
    std::map<int32_t, zk::BrokerInfo> current;
    for (const auto& b : brokers.value()) {
        current[b.id.value()] = b;
    }
    std::vector<int32_t> gone;
    std::vector<int32_t> arrived;
    for (const auto& [id, info] : context_.live_brokers) {
        auto it = current.find(id);
        if (it == current.end() || it->second.epoch != info.epoch) {
            gone.push_back(id);  // dead, or bounced (same id, new registration)
        }
    }
    for (const auto& [id, info] : current) {
        auto it = context_.live_brokers.find(id);
        if (it == context_.live_brokers.end() || it->second.epoch != info.epoch) {
            arrived.push_back(id);
        }
    }
    logger().info("broker change: new [{}], gone or bounced [{}]", fmt::join(arrived, ","),
                  fmt::join(gone, ","));
    for (int32_t id : gone) {
        context_.live_brokers.erase(id);
        context_.shutting_down_brokers.erase(id);
        channels_->remove_broker(id);
    }
    if (!gone.empty()) {
        on_broker_failure(gone);
    }
    for (int32_t id : arrived) {
        context_.live_brokers[id] = current[id];
        add_broker_channel(current[id]);
    }
    if (!arrived.empty()) {
        on_broker_startup(arrived);
    }
}

void KafkaController::on_broker_startup(const std::vector<int32_t>& brokers) {
    std::vector<int32_t> existing;
    for (int32_t id : context_.live_or_shutting_down_broker_ids()) {
        if (std::find(brokers.begin(), brokers.end(), id) == brokers.end()) {
            existing.push_back(id);
        }
    }
    std::vector<TopicPartition> all;
    for (const auto& [tp, l] : context_.leadership) {
        all.push_back(tp);
    }
    batch_->add_update_metadata(existing, {});
    batch_->add_update_metadata(brokers, all);
    for (int32_t broker : brokers) {
        for (const auto& tp : context_.partitions_on_broker(broker)) {
            auto l = context_.leadership.find(tp);
            if (l != context_.leadership.end() &&
                !context_.topics_to_be_deleted.contains(tp.topic)) {
                batch_->add_leader_and_isr({broker}, tp, l->second, false);
            }
        }
    }
    guarded("electing leaders", [&] { return partitions_->trigger_online_state_change(); });
    send_batch();
    // Moves waiting for one of these brokers to come back.
    maybe_resume_reassignments([&](const TopicPartition&, const ReplicaAssignment& a) {
        const auto targets = a.target_replicas();
        return std::any_of(brokers.begin(), brokers.end(), [&](int32_t b) {
            return std::find(targets.begin(), targets.end(), b) != targets.end();
        });
    });
    context_.topics_ineligible_for_deletion.clear();
    resume_deletions();
}

void KafkaController::on_broker_failure(const std::vector<int32_t>& brokers) {
    std::vector<TopicPartition> leaderless;
    for (int32_t b : brokers) {
        for (const auto& tp : context_.partitions_led_by(b)) {
            leaderless.push_back(tp);
        }
    }
    guarded("electing new leaders", [&] { return partitions_->on_leader_failure(leaderless); });
    for (int32_t b : brokers) {
        std::vector<TopicPartition> hosted;
        for (const auto& tp : context_.partitions_on_broker(b)) {
            if (!context_.topics_to_be_deleted.contains(tp.topic)) {
                hosted.push_back(tp);
            } else {
                context_.topics_ineligible_for_deletion.insert(tp.topic);
            }
        }
        guarded("shrinking ISRs", [&] { return partitions_->remove_replica_from_isr(b, hosted); });
    }
    // Every broker learns the new broker list, whether or not a leader changed.
    batch_->add_update_metadata(context_.live_or_shutting_down_broker_ids(), {});
    send_batch();
}

// ---- Topics -------------------------------------------------------------------------------

void KafkaController::process_topic_change() {
    if (!channels_) {
        return;
    }
    auto topics = zk_.get_all_topics(/*watch=*/true);
    if (!topics) {
        logger().error("cannot read topics: {}", topics.error().message());
        return;
    }
    std::set<std::string> current(topics.value().begin(), topics.value().end());
    std::set<std::string> added;
    for (const auto& t : current) {
        if (!context_.all_topics.contains(t)) {
            added.insert(t);
        }
    }
    for (const auto& t : std::set<std::string>(context_.all_topics)) {
        if (!current.contains(t)) {
            watches_->unregister_topic_watch(t);
            context_.remove_topic(t);
        }
    }
    on_new_topics(added);
}

std::vector<TopicPartition> KafkaController::track_topic(const std::string& topic,
                                                         const zk::TopicAssignment& assignment) {
    context_.all_topics.insert(topic);
    if (assignment.topic_id) {
        context_.topic_ids[topic] = to_protocol(*assignment.topic_id);
    }
    std::vector<TopicPartition> partitions;
    for (const auto& [p, replicas] : assignment.partitions) {
        TopicPartition tp{topic, p};
        ReplicaAssignment full{to_ints(replicas.replicas), to_ints(replicas.adding_replicas),
                               to_ints(replicas.removing_replicas)};
        context_.set_full_assignment(tp, full);
        if (full.is_being_reassigned()) {
            context_.partitions_being_reassigned.insert(tp);  // resumed at failover step 9
        }
        partitions.push_back(tp);
    }
    // Arm the data watch that reports added partitions (Kafka's PartitionModificationsHandler).
    watches_->register_topic_watch(topic);
    if (auto armed = zk_.exists(zk::TopicZNode::path(topic), /*watch=*/true); !armed) {
        logger().error("cannot watch topic {}: {}", topic, armed.error().message());
    }
    return partitions;
}

void KafkaController::on_new_topics(const std::set<std::string>& topics) {
    if (topics.empty()) {
        return;
    }
    auto assignments = zk_.get_topic_assignments({topics.begin(), topics.end()});
    if (!assignments) {
        logger().error("cannot read topic assignments: {}", assignments.error().message());
        return;
    }
    std::vector<TopicPartition> partitions;
    for (const auto& [topic, a] : assignments.value()) {
        auto tps = track_topic(topic, a);
        partitions.insert(partitions.end(), tps.begin(), tps.end());
    }
    logger().info("new topics [{}] with {} partitions", fmt::join(topics, ","), partitions.size());
    guarded("creating partitions", [&] { return partitions_->on_new_partitions(partitions); });
    send_batch();
}

void KafkaController::process_partition_modifications(const std::string& topic) {
    if (!channels_ || !context_.all_topics.contains(topic)) {
        return;
    }
    (void)zk_.exists(zk::TopicZNode::path(topic), /*watch=*/true);
    auto assignments = zk_.get_topic_assignments({topic});
    if (!assignments || !assignments.value().contains(topic)) {
        return;
    }
    std::vector<TopicPartition> added;
    for (const auto& [p, replicas] : assignments.value().at(topic).partitions) {
        TopicPartition tp{topic, p};
        if (!context_.assignments.contains(tp)) {
            added.push_back(tp);
        }
    }
    if (added.empty()) {
        return;
    }
    if (context_.topics_to_be_deleted.contains(topic)) {
        // Never created, so the deletion has nothing of them to stop; it removes the znode.
        // (Kafka also writes the old assignment back; CreatePartitions refuses such topics.)
        logger().warn("skipping {} partitions added to {}: the topic is being deleted",
                      added.size(), topic);
        return;
    }
    for (const auto& tp : added) {
        context_.assignments[tp] =
            to_ints(assignments.value().at(topic).partitions.at(tp.partition).replicas);
    }
    guarded("creating partitions", [&] { return partitions_->on_new_partitions(added); });
    send_batch();
}

// ---- Topic deletion (Kafka's TopicDeletionManager) ----------------------------------------

void KafkaController::process_topic_deletion() {
    if (!channels_) {
        return;
    }
    auto nodes = zk_.get_delete_topic_nodes(/*watch=*/true);
    if (!nodes) {
        logger().error("cannot read topics to delete: {}", nodes.error().message());
        return;
    }
    for (const auto& t : nodes.value()) {
        if (!context_.all_topics.contains(t) || !config_.delete_topic_enable) {
            // Unknown topic, or deletion disabled: just drop the request node.
            (void)zk_client_.delete_node(zk::DeleteOp{kDeleteTopicsPath + "/" + t, -1});
            continue;
        }
        context_.topics_to_be_deleted.insert(t);
    }
    resume_deletions();
}

void KafkaController::resume_deletions() {
    for (const auto& topic : std::set<std::string>(context_.topics_to_be_deleted)) {
        if (deletion_pending_.contains(topic) ||
            context_.topics_ineligible_for_deletion.contains(topic)) {
            continue;
        }
        if (context_.is_topic_being_reassigned(topic)) {
            // Resumed when the move completes (or is cancelled).
            logger().info("deletion of {} waits for its partition reassignments", topic);
            continue;
        }
        bool all_live = true;
        for (const auto& tp : context_.partitions_of(topic)) {
            for (int32_t r : context_.replicas(tp)) {
                all_live = all_live && context_.is_live_or_shutting_down(r);
            }
        }
        if (!all_live) {
            logger().info("deletion of {} waits for its offline replicas", topic);
            context_.topics_ineligible_for_deletion.insert(topic);
            continue;
        }
        start_deletion(topic);
    }
}

void KafkaController::start_deletion(const std::string& topic) {
    auto tps = context_.partitions_of(topic);
    logger().info("deleting topic {} ({} partitions)", topic, tps.size());
    partitions_->to_offline(tps);
    partitions_->to_non_existent(tps);
    // Leader -2 in this UpdateMetadata makes every broker drop the topic from its metadata.
    batch_->add_update_metadata(context_.live_or_shutting_down_broker_ids(), tps);
    auto& pending = deletion_pending_[topic];
    for (const auto& tp : tps) {
        for (int32_t r : context_.replicas(tp)) {
            batch_->add_stop_replica(r, tp, /*delete_partition=*/true, /*leader_epoch=*/-2);
            pending.insert({r, tp});
        }
    }
    send_batch();
    if (pending.empty()) {
        complete_deletion(topic);
    }
}

void KafkaController::process_stop_replica_response(int32_t broker,
                                                    std::map<TopicPartition, int16_t> errors) {
    if (!channels_) {
        return;
    }
    for (const auto& [tp, error] : errors) {
        auto it = deletion_pending_.find(tp.topic);
        if (it == deletion_pending_.end()) {
            continue;
        }
        if (error == 0) {
            it->second.erase({broker, tp});
        } else {
            logger().warn("broker {} could not delete {} (error {}); will retry", broker, tp,
                          error);
            deletion_pending_.erase(it);
            context_.topics_ineligible_for_deletion.insert(tp.topic);
        }
    }
    for (const auto& topic : std::set<std::string>(context_.topics_to_be_deleted)) {
        auto it = deletion_pending_.find(topic);
        if (it != deletion_pending_.end() && it->second.empty()) {
            complete_deletion(topic);
        }
    }
}

void KafkaController::complete_deletion(const std::string& topic) {
    if (!guarded("deleting topic znodes",
                 [&] { return zk_.delete_topic_znodes(topic, context_.epoch_zk_version); })) {
        return;
    }
    watches_->unregister_topic_watch(topic);
    context_.remove_topic(topic);
    deletion_pending_.erase(topic);
    logger().info("deletion of topic {} complete", topic);
}

}  // namespace samsa::controller
