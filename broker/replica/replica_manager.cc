#include "broker/replica/replica_manager.h"

#include "broker/log/log_manager.h"
#include "broker/protocol/generated/leader_and_isr_request.h"
#include "broker/protocol/generated/leader_and_isr_response.h"
#include "broker/protocol/generated/stop_replica_request.h"
#include "broker/protocol/generated/stop_replica_response.h"
#include "broker/protocol/generated/update_metadata_request.h"
#include "common/logging.h"
#include "zk/uuid.h"

#include <algorithm>
#include <set>

namespace samsa::replica {

namespace {

using protocol::ErrorCode;
using LeaderAndIsrRequest = protocol::LeaderAndIsrRequestData;
using LeaderAndIsrResponse = protocol::LeaderAndIsrResponseData;
using PartitionStateData = LeaderAndIsrRequest::LeaderAndIsrPartitionState;

auto& logger() {
    static auto l = get_logger("replica");
    return *l;
}

bool contains(const std::vector<int32_t>& v, int32_t x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

// Topic name -> topic id text (zk::Uuid form) from a v5+ request. The zero id means the
// controller has none for that topic (it predates topic ids): left out.
std::map<std::string, std::string> topic_ids_of(const LeaderAndIsrRequest& request) {
    std::map<std::string, std::string> out;
    for (const auto& topic : request.topic_states) {
        uint64_t msb = 0;
        uint64_t lsb = 0;
        for (size_t i = 0; i < 8; ++i) {
            msb = (msb << 8) | topic.topic_id[i];
            lsb = (lsb << 8) | topic.topic_id[i + 8];
        }
        if (zk::Uuid id(msb, lsb); id != zk::kZeroUuid) {
            out[topic.topic_name] = id.to_string();
        }
    }
    return out;
}

PartitionRole to_role(const PartitionStateData& s) {
    return PartitionRole{s.controller_epoch, s.leader,   s.leader_epoch, s.isr,
                         s.zk_version,       s.replicas, s.is_new};
}

// The partition states of a LeaderAndIsr request of any version, with their topic names.
std::vector<PartitionStateData> partition_states(const LeaderAndIsrRequest& request) {
    std::vector<PartitionStateData> out = request.ungrouped_partition_states;
    for (const auto& topic : request.topic_states) {
        for (auto state : topic.partition_states) {
            state.topic_name = topic.topic_name;
            out.push_back(std::move(state));
        }
    }
    return out;
}

LeaderAndIsrResponse make_leader_and_isr_response(
    const LeaderAndIsrRequest& request, int16_t version, ErrorCode top_level,
    const std::map<TopicPartition, ErrorCode>& errors) {
    LeaderAndIsrResponse response;
    response.error_code = static_cast<int16_t>(top_level);
    if (version < 5) {
        for (const auto& [tp, error] : errors) {
            LeaderAndIsrResponse::LeaderAndIsrPartitionError e;
            e.topic_name = tp.topic;
            e.partition_index = tp.partition;
            e.error_code = static_cast<int16_t>(error);
            response.partition_errors.push_back(std::move(e));
        }
        return response;
    }
    for (const auto& topic : request.topic_states) {
        LeaderAndIsrResponse::LeaderAndIsrTopicError t;
        t.topic_id = topic.topic_id;
        for (const auto& p : topic.partition_states) {
            auto it = errors.find(TopicPartition{topic.topic_name, p.partition_index});
            LeaderAndIsrResponse::LeaderAndIsrPartitionError e;
            e.partition_index = p.partition_index;
            e.error_code = static_cast<int16_t>(it == errors.end() ? top_level : it->second);
            t.partition_errors.push_back(std::move(e));
        }
        response.topics.push_back(std::move(t));
    }
    return response;
}

}  // namespace

namespace {

std::atomic<uint64_t> next_instance_id{1};

// Each network thread's view of the partition map, valid while the map's version is unchanged.
struct PartitionCache {
    uint64_t owner = 0;  // ReplicaManager::instance_id_
    uint64_t version = 0;
    std::unordered_map<TopicPartition, std::shared_ptr<Partition>> partitions;
};

}  // namespace

ReplicaManager::ReplicaManager(int32_t broker_id, log::LogManager& logs, MetadataCache& metadata,
                               log::LogConfig default_log_config,
                               TopicConfigLoader load_topic_config,
                               int64_t hw_checkpoint_interval_ms, ReplicationConfig replication)
    : broker_id_(broker_id),
      logs_(logs),
      metadata_(metadata),
      default_log_config_(std::move(default_log_config)),
      load_topic_config_(std::move(load_topic_config)),
      hw_checkpoint_interval_ms_(hw_checkpoint_interval_ms),
      instance_id_(next_instance_id.fetch_add(1)),
      replication_(std::move(replication)),
      isr_shrinks_(metrics::registry().counter("kafka_server_replicamanager_isrshrinks",
                                               "ISR shrinks written by this broker as leader")),
      isr_expands_(metrics::registry().counter("kafka_server_replicamanager_isrexpands",
                                               "ISR expansions written by this broker as leader")),
      metrics_collector_(metrics::registry().add_collector(
          [this](metrics::SampleSink& sink) { collect_metrics(sink); })) {
    FetcherConfig fetcher = replication_.fetcher;
    fetcher.broker_id = broker_id_;
    fetchers_ = std::make_unique<ReplicaFetcherManager>(
        fetcher, replication_.num_replica_fetchers,
        [this](const TopicPartition& tp) { return get_partition(tp); });
}

ReplicaManager::~ReplicaManager() {
    shutdown();
}

void ReplicaManager::startup() {
    checkpoint_thread_ = std::thread([this] { checkpoint_loop(); });
    isr_thread_ = std::thread([this] { isr_loop(); });
}

void ReplicaManager::shutdown() {
    fetchers_->shutdown();
    {
        std::lock_guard lock(isr_mu_);
        isr_stopping_ = true;
    }
    isr_cv_.notify_all();
    if (isr_thread_.joinable()) {
        isr_thread_.join();
    }
    {
        std::lock_guard lock(checkpoint_mu_);
        if (stopping_) {
            return;
        }
        stopping_ = true;
    }
    checkpoint_cv_.notify_all();
    if (checkpoint_thread_.joinable()) {
        checkpoint_thread_.join();
        checkpoint_high_watermarks();
    }
}

void ReplicaManager::complete_delayed_requests() {
    shutting_down_ = true;
    std::vector<std::shared_ptr<Partition>> all;
    {
        std::lock_guard lock(mu_);
        for (const auto& [tp, p] : partitions_) {
            all.push_back(p);
        }
    }
    for (auto& p : all) {
        p->wake_watchers();
    }
}

void ReplicaManager::set_broker_epoch(int64_t epoch) {
    std::lock_guard lock(mu_);
    broker_epoch_ = epoch;
}

int64_t ReplicaManager::broker_epoch() const {
    std::lock_guard lock(mu_);
    return broker_epoch_;
}

std::shared_ptr<Partition> ReplicaManager::get_partition(const TopicPartition& tp) const {
    // Every produce and fetch looks its partitions up, from every network thread: a shared
    // mutex here is a cache line all of them write. Each thread keeps the partitions it has
    // found instead, and drops them all when the map changes (LeaderAndIsr, StopReplica:
    // rare), which one shared, read-mostly counter tells.
    thread_local PartitionCache cache;
    const uint64_t version = version_.load(std::memory_order_acquire);
    if (cache.owner != instance_id_ || cache.version != version) {
        cache.partitions.clear();
        cache.owner = instance_id_;
        cache.version = version;
    }
    if (auto it = cache.partitions.find(tp); it != cache.partitions.end()) {
        return it->second;
    }
    std::shared_ptr<Partition> found;
    {
        std::lock_guard lock(mu_);
        auto it = partitions_.find(tp);
        if (it != partitions_.end()) {
            found = it->second;
        }
    }
    if (found) {
        cache.partitions.emplace(tp, found);
    }
    return found;
}

ErrorCode ReplicaManager::missing_partition_error(const TopicPartition& tp) const {
    return metadata_.snapshot()->partition(tp) ? ErrorCode::not_leader_or_follower
                                               : ErrorCode::unknown_topic_or_partition;
}

ErrorCode ReplicaManager::check_control_epochs(int32_t controller_epoch, int64_t broker_epoch) {
    std::lock_guard lock(mu_);
    if (controller_epoch < controller_epoch_) {
        return ErrorCode::stale_controller_epoch;
    }
    // -1: the controller does not know our epoch (an older request version); accepted. A
    // request naming an epoch before we have one was meant for our previous incarnation, whose
    // registration a restart waits out (Kafka serves no request before registering): stale.
    if (broker_epoch != -1 && (broker_epoch_ == -1 || broker_epoch < broker_epoch_)) {
        return ErrorCode::stale_broker_epoch;
    }
    controller_epoch_ = controller_epoch;
    return ErrorCode::none;
}

const log::LogConfig& ReplicaManager::log_config_for(const std::string& topic,
                                                     TopicConfigMemo& configs) {
    if (auto it = configs.find(topic); it != configs.end()) {
        return it->second;
    }
    auto overrides = load_topic_config_(topic);
    auto config = overrides ? log::apply_topic_overrides(default_log_config_, overrides.value())
                            : result<log::LogConfig>(default_log_config_);
    if (!config) {
        logger().warn("{}: invalid topic config in ZooKeeper ({}); using broker defaults", topic,
                      config.error().message());
        config = default_log_config_;
    }
    return configs.emplace(topic, std::move(config).value()).first->second;
}

result<std::shared_ptr<Partition>> ReplicaManager::get_or_create_partition(
    const TopicPartition& tp, TopicConfigMemo& configs) {
    if (auto existing = get_partition(tp)) {
        return existing;
    }
    std::shared_ptr<log::Log> log = logs_.get_log(tp);
    if (!log) {
        SAMSA_TRY(auto created, logs_.get_or_create_log(tp, log_config_for(tp.topic, configs)));
        log = created;
    }
    std::lock_guard lock(mu_);
    auto& slot = partitions_[tp];
    if (!slot) {
        slot = std::make_shared<Partition>(tp, broker_id_, std::move(log));
        version_.fetch_add(1, std::memory_order_release);
    }
    return slot;
}

LeaderAndIsrResponse ReplicaManager::become_leader_or_follower(const LeaderAndIsrRequest& request,
                                                               int16_t version) {
    const auto started = std::chrono::steady_clock::now();
    std::map<TopicPartition, ErrorCode> errors;
    auto states = partition_states(request);
    if (auto e = check_control_epochs(request.controller_epoch, request.broker_epoch);
        e != ErrorCode::none) {
        logger().warn("ignoring LeaderAndIsr from controller {} epoch {}: {}",
                      request.controller_id, request.controller_epoch, protocol::error_name(e));
        for (const auto& s : states) {
            errors[TopicPartition{s.topic_name, s.partition_index}] = e;
        }
        return make_leader_and_isr_response(request, version, e, errors);
    }
    auto topic_ids = topic_ids_of(request);
    TopicConfigMemo configs;
    std::vector<std::pair<std::shared_ptr<Partition>, PartitionRole>> changes;
    for (const auto& s : states) {
        TopicPartition tp{s.topic_name, s.partition_index};
        auto id = topic_ids.find(s.topic_name);
        const std::string* topic_id = id == topic_ids.end() ? nullptr : &id->second;
        if (topic_id && !has_consistent_topic_id(tp, *topic_id)) {
            errors[tp] = ErrorCode::inconsistent_topic_id;
            continue;
        }
        if (!contains(s.replicas, broker_id_)) {
            errors[tp] = ErrorCode::unknown_topic_or_partition;
            continue;
        }
        auto partition = get_or_create_partition(tp, configs);
        if (!partition) {
            logger().error("{}: cannot create the log: {}", tp, partition.error().message());
            errors[tp] = ErrorCode::kafka_storage_error;
            continue;
        }
        if (topic_id && !partition.value()->log()->topic_id()) {
            if (auto written = partition.value()->log()->set_topic_id(*topic_id); !written) {
                logger().error("{}: cannot record topic id {}: {}", tp, *topic_id,
                               written.error().message());
                errors[tp] = ErrorCode::kafka_storage_error;
                continue;
            }
        }
        // Only the controller changes epochs, one LeaderAndIsr at a time: what is not newer
        // now will not be newer when applied below.
        if (s.leader_epoch <= partition.value()->leader_epoch()) {
            errors[tp] = ErrorCode::stale_controller_epoch;
            continue;
        }
        changes.emplace_back(partition.value(), to_role(s));
    }
    // Kafka's makeLeaders / makeFollowers: stop fetching first, so that no fetch from the old
    // leader lands after the role change (appends check the epoch too), then change roles,
    // then fetch from the new leaders.
    std::set<TopicPartition> changing;
    for (const auto& [partition, role] : changes) {
        changing.insert(partition->topic_partition());
    }
    fetchers_->remove_fetcher_for_partitions(changing);
    std::map<TopicPartition, int32_t> followers;
    std::vector<LeadershipChange> applied_changes;
    for (const auto& [partition, role] : changes) {
        const TopicPartition& tp = partition->topic_partition();
        bool leader = role.leader == broker_id_;
        bool applied = leader ? partition->make_leader(role) : partition->make_follower(role);
        errors[tp] = applied ? ErrorCode::none : ErrorCode::stale_controller_epoch;
        if (applied && !leader && role.leader >= 0) {
            followers[tp] = role.leader_epoch;
        }
        if (applied) {
            applied_changes.push_back(LeadershipChange{tp, leader, role.leader_epoch});
        }
    }
    std::map<int32_t, SourceBroker> leaders;
    for (const auto& l : request.live_leaders) {
        leaders[l.broker_id] =
            SourceBroker{l.broker_id, l.host_name, static_cast<uint16_t>(l.port)};
    }
    start_fetchers(followers, leaders);
    fetchers_->shutdown_idle_fetchers();
    if (leadership_listener_ && !applied_changes.empty()) {
        leadership_listener_(applied_changes);
    }
    logger().info(
        "LeaderAndIsr from controller {} epoch {}: {} partitions, {} changed role, "
        "in {} ms",
        request.controller_id, request.controller_epoch, states.size(), changes.size(),
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                              started)
            .count());
    return make_leader_and_isr_response(request, version, ErrorCode::none, errors);
}

void ReplicaManager::start_fetchers(const std::map<TopicPartition, int32_t>& followers,
                                    const std::map<int32_t, SourceBroker>& leaders) {
    if (no_new_fetchers_ && !followers.empty()) {
        logger().info("shutting down: not fetching the {} partitions this broker now follows",
                      followers.size());
        return;
    }
    std::map<TopicPartition, FollowerTarget> targets;
    for (const auto& [tp, epoch] : followers) {
        auto partition = get_partition(tp);
        auto leader_id = partition ? partition->leader_id() : std::nullopt;
        auto leader = leader_id ? leaders.find(*leader_id) : leaders.end();
        if (leader == leaders.end()) {
            // Kafka: "the leader is not alive"; the controller sends another LeaderAndIsr
            // when it elects one that is.
            logger().warn("{}: leader {} is not among the live leaders; not fetching", tp,
                          leader_id.value_or(-1));
            continue;
        }
        targets[tp] = FollowerTarget{leader->second, epoch};
    }
    fetchers_->add_fetcher_for_partitions(targets);
}

bool ReplicaManager::has_consistent_topic_id(const TopicPartition& tp,
                                             const std::string& topic_id) const {
    auto log = logs_.get_log(tp);
    auto on_disk = log ? log->topic_id() : std::nullopt;
    if (on_disk && *on_disk != topic_id) {
        logger().error(
            "{}: topic id {} in LeaderAndIsr differs from {} in the log; the log "
            "belongs to another incarnation of the topic",
            tp, topic_id, *on_disk);
        return false;
    }
    return true;
}

protocol::StopReplicaResponseData ReplicaManager::stop_replicas(
    const protocol::StopReplicaRequestData& request, int16_t version) {
    struct Stop {
        TopicPartition tp;
        int32_t leader_epoch;
        bool delete_partition;
    };
    std::vector<Stop> stops;
    for (const auto& p : request.ungrouped_partitions) {
        stops.push_back({{p.topic_name, p.partition_index}, -1, request.delete_partitions});
    }
    for (const auto& t : request.topics) {
        for (int32_t p : t.partition_indexes) {
            stops.push_back({{t.name, p}, -1, request.delete_partitions});
        }
    }
    for (const auto& t : request.topic_states) {
        for (const auto& p : t.partition_states) {
            stops.push_back(
                {{t.topic_name, p.partition_index}, p.leader_epoch, p.delete_partition});
        }
    }
    (void)version;

    protocol::StopReplicaResponseData response;
    auto top = check_control_epochs(request.controller_epoch, request.broker_epoch);
    response.error_code = static_cast<int16_t>(top);
    std::vector<LeadershipChange> stopped;
    for (const auto& s : stops) {
        ErrorCode error = top;
        if (error == ErrorCode::none) {
            error = stop_replica(s.tp, s.leader_epoch, s.delete_partition);
            if (error == ErrorCode::none) {
                stopped.push_back(LeadershipChange{s.tp, false, s.leader_epoch});
            }
        }
        protocol::StopReplicaResponseData::StopReplicaPartitionError e;
        e.topic_name = s.tp.topic;
        e.partition_index = s.tp.partition;
        e.error_code = static_cast<int16_t>(error);
        response.partition_errors.push_back(std::move(e));
    }
    if (leadership_listener_ && !stopped.empty()) {
        leadership_listener_(stopped);
    }
    return response;
}

ErrorCode ReplicaManager::stop_replica(const TopicPartition& tp, int32_t leader_epoch,
                                       bool delete_partition) {
    auto partition = get_partition(tp);
    // -2: the topic is being deleted; -1: no epoch given. Otherwise only a newer epoch may
    // stop us (KIP-570).
    if (partition && leader_epoch >= 0 && leader_epoch <= partition->leader_epoch()) {
        return ErrorCode::fenced_leader_epoch;
    }
    fetchers_->remove_fetcher_for_partitions({tp});
    if (partition) {
        partition->stop();
    }
    if (!delete_partition) {
        return ErrorCode::none;
    }
    {
        std::lock_guard lock(mu_);
        partitions_.erase(tp);
        version_.fetch_add(1, std::memory_order_release);
    }
    if (logs_.get_log(tp)) {
        if (auto deleted = logs_.delete_log(tp); !deleted) {
            logger().error("{}: cannot delete the log: {}", tp, deleted.error().message());
            return ErrorCode::kafka_storage_error;
        }
    }
    logger().info("{}: replica deleted", tp);
    return ErrorCode::none;
}

ErrorCode ReplicaManager::update_metadata(const protocol::UpdateMetadataRequestData& request) {
    if (auto e = check_control_epochs(request.controller_epoch, request.broker_epoch);
        e != ErrorCode::none) {
        logger().warn("ignoring UpdateMetadata from controller {} epoch {}: {}",
                      request.controller_id, request.controller_epoch, protocol::error_name(e));
        return e;
    }
    metadata_.update(request);
    return ErrorCode::none;
}

void ReplicaManager::checkpoint_high_watermarks() {
    // One replication-offset-checkpoint per log dir, listing the partitions that live there.
    std::map<std::string, log::OffsetMap> by_dir;
    for (const auto& dir : logs_.log_dirs()) {
        by_dir[dir];
    }
    std::vector<std::pair<TopicPartition, int64_t>> hws;
    {
        std::lock_guard lock(mu_);
        for (const auto& [tp, p] : partitions_) {
            hws.emplace_back(tp, p->high_watermark());
        }
    }
    for (const auto& [tp, hw] : hws) {
        if (auto dir = logs_.log_dir_of(tp)) {
            by_dir[*dir][tp] = hw;
        }
    }
    for (const auto& [dir, offsets] : by_dir) {
        if (auto written = logs_.write_replication_offset_checkpoint(dir, offsets); !written) {
            logger().error("cannot write {}/replication-offset-checkpoint: {}", dir,
                           written.error().message());
        }
    }
}

void ReplicaManager::checkpoint_loop() {
    std::unique_lock lock(checkpoint_mu_);
    while (!stopping_) {
        checkpoint_cv_.wait_for(lock, std::chrono::milliseconds(hw_checkpoint_interval_ms_),
                                [&] { return stopping_; });
        if (stopping_) {
            return;
        }
        lock.unlock();
        checkpoint_high_watermarks();
        lock.lock();
    }
}

}  // namespace samsa::replica
