#include "zk/zk_data.h"

#include <boost/json.hpp>
#include <boost/outcome/try.hpp>  // SAMSA_TRY: common/result.h does not include it

#include <charconv>
#include <limits>

namespace samsa::zk {
namespace {

namespace json = boost::json;

std::string to_text(const json::value& v) {
    return json::serialize(v);
}

result<json::object> parse_object(std::string_view data) {
    boost::system::error_code ec;
    json::value v = json::parse(json::string_view(data.data(), data.size()), ec);
    if (ec || !v.is_object()) {
        return Errc::malformed_data;
    }
    return std::move(v.as_object());
}

std::optional<int64_t> as_int64(const json::value& v) {
    if (v.is_int64()) {
        return v.get_int64();
    }
    if (v.is_uint64() && v.get_uint64() <= uint64_t(std::numeric_limits<int64_t>::max())) {
        return static_cast<int64_t>(v.get_uint64());
    }
    return std::nullopt;
}

template <typename Int>
std::optional<Int> as_int(const json::value& v) {
    const auto wide = as_int64(v);
    if (!wide || *wide < std::numeric_limits<Int>::min() ||
        *wide > std::numeric_limits<Int>::max()) {
        return std::nullopt;
    }
    return static_cast<Int>(*wide);
}

// Whole-string decimal integer, as Java's Integer.parseInt / Long.parseLong.
template <typename Int>
std::optional<Int> parse_decimal(std::string_view text) {
    Int value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

result<int32_t> require_int32(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr) {
        return Errc::malformed_data;
    }
    const auto n = as_int<int32_t>(*v);
    if (!n) {
        return Errc::malformed_data;
    }
    return *n;
}

result<std::string> require_string(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || !v->is_string()) {
        return Errc::malformed_data;
    }
    return std::string(v->get_string());
}

json::array broker_array(const std::vector<BrokerId>& ids) {
    json::array a;
    for (const BrokerId id : ids) {
        a.emplace_back(id.value());
    }
    return a;
}

result<std::vector<BrokerId>> to_broker_ids(const json::value& v) {
    if (!v.is_array()) {
        return Errc::malformed_data;
    }
    std::vector<BrokerId> ids;
    for (const json::value& e : v.get_array()) {
        const auto n = as_int<int32_t>(e);
        if (!n) {
            return Errc::malformed_data;
        }
        ids.emplace_back(*n);
    }
    return ids;
}

// "adding_replicas" / "removing_replicas": partition -> list, entries only when non-empty.
result<void> read_replica_map(const json::object& o, std::string_view key,
                              std::map<int32_t, ReplicaAssignment>& out,
                              std::vector<BrokerId> ReplicaAssignment::*member) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || v->is_null()) {
        return success();
    }
    if (!v->is_object()) {
        return Errc::malformed_data;
    }
    for (const auto& [name, replicas] : v->get_object()) {
        const auto partition = parse_decimal<int32_t>(std::string_view(name.data(), name.size()));
        if (!partition) {
            return Errc::malformed_data;
        }
        SAMSA_TRY(auto ids, to_broker_ids(replicas));
        out[*partition].*member = std::move(ids);
    }
    return success();
}

result<std::map<std::string, std::string>> to_string_map(const json::value& v) {
    if (!v.is_object()) {
        return Errc::malformed_data;
    }
    std::map<std::string, std::string> out;
    for (const auto& [key, value] : v.get_object()) {
        if (!value.is_string()) {
            return Errc::malformed_data;
        }
        out.emplace(std::string(key), std::string(value.get_string()));
    }
    return out;
}

result<std::vector<EndPoint>> read_endpoints(const json::object& o, int32_t version) {
    if (version == 1) {
        // Version 1: one PLAINTEXT endpoint from host/port.
        SAMSA_TRY(auto host, require_string(o, "host"));
        SAMSA_TRY(auto port, require_int32(o, "port"));
        return std::vector<EndPoint>{EndPoint{"PLAINTEXT", host, port, "PLAINTEXT"}};
    }
    std::optional<std::map<std::string, std::string>> protocol_map;
    if (const json::value* m = o.if_contains("listener_security_protocol_map");
        m != nullptr && !m->is_null()) {
        SAMSA_TRY(auto parsed, to_string_map(*m));
        protocol_map = std::move(parsed);
    }
    const json::value* list = o.if_contains("endpoints");
    if (list == nullptr || !list->is_array()) {
        return Errc::malformed_data;
    }
    std::vector<EndPoint> endpoints;
    for (const json::value& e : list->get_array()) {
        if (!e.is_string()) {
            return Errc::malformed_data;
        }
        const json::string& text = e.get_string();
        auto ep = EndPoint::parse(std::string_view(text.data(), text.size()),
                                  protocol_map ? &*protocol_map : nullptr);
        if (!ep) {
            return Errc::malformed_data;
        }
        endpoints.push_back(std::move(*ep));
    }
    return endpoints;
}

result<std::map<std::string, SupportedVersionRange>> read_features(const json::object& o) {
    std::map<std::string, SupportedVersionRange> features;
    const json::value* v = o.if_contains("features");
    if (v == nullptr || v->is_null()) {
        return features;
    }
    if (!v->is_object()) {
        return Errc::malformed_data;
    }
    for (const auto& [name, range] : v->get_object()) {
        if (!range.is_object()) {
            return Errc::malformed_data;
        }
        SAMSA_TRY(auto min, require_int32(range.get_object(), "min_version"));
        SAMSA_TRY(auto max, require_int32(range.get_object(), "max_version"));
        features[std::string(name)] =
            SupportedVersionRange{static_cast<int16_t>(min), static_cast<int16_t>(max)};
    }
    return features;
}

}  // namespace

// ---- ZkData ----------------------------------------------------------------------------------

const std::vector<std::string>& ZkData::persistent_zk_paths() {
    static const std::vector<std::string> paths = {
        ConsumerPathZNode::path(),
        BrokerIdsZNode::path(),
        TopicsZNode::path(),
        ConfigEntityChangeNotificationZNode::path(),
        DeleteTopicsZNode::path(),
        BrokerSequenceIdZNode::path(),
        IsrChangeNotificationZNode::path(),
        ProducerIdBlockZNode::path(),
        LogDirEventNotificationZNode::path(),
        ConfigEntityTypeZNode::path(kConfigTypeTopic),
        ConfigEntityTypeZNode::path(kConfigTypeClient),
        ConfigEntityTypeZNode::path(kConfigTypeUser),
        ConfigEntityTypeZNode::path(kConfigTypeBroker),
        ConfigEntityTypeZNode::path(kConfigTypeIp),
    };
    return paths;
}

bool ZkData::is_sensitive_path(std::string_view path) {
    // Kafka compares with startsWith, so "/config/usersX" counts too; so do we.
    for (const std::string_view root : {"/config/users", "/config/brokers", "/delegation_token"}) {
        if (path.starts_with(root)) {
            return true;
        }
    }
    return false;
}

std::vector<Acl> ZkData::default_acls(bool secure, std::string_view path) {
    if (!secure || path == ConsumerPathZNode::path()) {
        return open_acl_unsafe();
    }
    std::vector<Acl> acls = creator_all_acl();
    if (!is_sensitive_path(path)) {
        const auto read = read_acl_unsafe();
        acls.insert(acls.end(), read.begin(), read.end());
    }
    return acls;
}

// ---- Cluster id and controller ---------------------------------------------------------------

std::string ClusterIdZNode::encode(std::string_view cluster_id) {
    return to_text(json::object{{"version", "1"}, {"id", cluster_id}});
}

result<std::string> ClusterIdZNode::decode(std::string_view data) {
    SAMSA_TRY(auto o, parse_object(data));
    return require_string(o, "id");
}

std::string ControllerZNode::encode(BrokerId broker_id, int64_t timestamp_ms) {
    return to_text(json::object{{"version", 1},
                                {"brokerid", broker_id.value()},
                                {"timestamp", std::to_string(timestamp_ms)}});
}

result<BrokerId> ControllerZNode::decode(std::string_view data) {
    if (const auto bare = parse_decimal<int32_t>(data)) {
        return BrokerId(*bare);
    }
    SAMSA_TRY(auto o, parse_object(data));
    SAMSA_TRY(auto id, require_int32(o, "brokerid"));
    return BrokerId(id);
}

std::string FeatureZNode::encode(int status, std::string_view features_json) {
    boost::system::error_code ec;
    json::value features = json::parse(features_json, ec);
    if (ec || !features.is_object()) {
        features = json::object{};
    }
    return to_text(json::object{{"version", 1}, {"status", status}, {"features", features}});
}

result<std::pair<int, std::string>> FeatureZNode::decode(std::string_view data) {
    SAMSA_TRY(auto o, parse_object(data));
    SAMSA_TRY(auto status, require_int32(o, "status"));
    std::string features = "{}";
    if (const auto* f = o.if_contains("features"); f && f->is_object()) {
        features = json::serialize(*f);
    }
    return std::make_pair(static_cast<int>(status), features);
}

std::string ProducerIdBlockZNode::encode(const ProducerIdBlock& block) {
    return to_text(json::object{{"version", 1},
                                {"broker", block.broker},
                                {"block_start", std::to_string(block.block_start)},
                                {"block_end", std::to_string(block.block_end)}});
}

result<ProducerIdBlock> ProducerIdBlockZNode::decode(std::string_view data) {
    SAMSA_TRY(auto o, parse_object(data));
    ProducerIdBlock block;
    SAMSA_TRY(block.broker, require_int32(o, "broker"));
    SAMSA_TRY(auto start, require_string(o, "block_start"));
    SAMSA_TRY(auto end, require_string(o, "block_end"));
    auto s = parse_decimal<int64_t>(start);
    auto e = parse_decimal<int64_t>(end);
    if (!s || !e || *s < 0 || *e < *s) {
        return Errc::malformed_data;
    }
    block.block_start = *s;
    block.block_end = *e;
    return block;
}

std::string ControllerEpochZNode::encode(ControllerEpoch epoch) {
    return std::to_string(epoch.value());
}

result<ControllerEpoch> ControllerEpochZNode::decode(std::string_view data) {
    const auto epoch = parse_decimal<int32_t>(data);
    if (!epoch) {
        return Errc::malformed_data;
    }
    return ControllerEpoch(*epoch);
}

// ---- Brokers ---------------------------------------------------------------------------------

std::string BrokerIdZNode::path(BrokerId id) {
    return BrokerIdsZNode::path() + "/" + std::to_string(id.value());
}

std::string BrokerIdZNode::encode(const BrokerInfo& info, int64_t timestamp_ms) {
    // host/port are for clients that only know PLAINTEXT: the first PLAINTEXT endpoint.
    const EndPoint* plaintext = nullptr;
    for (const EndPoint& ep : info.endpoints) {
        if (ep.security_protocol == "PLAINTEXT") {
            plaintext = &ep;
            break;
        }
    }
    json::object o;
    o["version"] = info.version;
    if (plaintext != nullptr && !plaintext->host.empty()) {
        o["host"] = plaintext->host;
    } else {
        o["host"] = nullptr;
    }
    o["port"] = plaintext != nullptr ? plaintext->port : -1;
    o["jmx_port"] = info.jmx_port;
    o["timestamp"] = std::to_string(timestamp_ms);
    json::array endpoints;
    json::object protocols;
    for (const EndPoint& ep : info.endpoints) {
        endpoints.emplace_back(ep.connection_string());
        protocols[ep.listener_name] = ep.security_protocol;
    }
    o["endpoints"] = std::move(endpoints);
    o["listener_security_protocol_map"] = std::move(protocols);
    if (info.rack) {
        o["rack"] = *info.rack;
    }
    if (info.version >= 5) {
        json::object features;
        for (const auto& [name, range] : info.features) {
            features[name] = json::object{{"min_version", range.min_version},
                                          {"max_version", range.max_version}};
        }
        o["features"] = std::move(features);
    }
    return to_text(o);
}

result<BrokerInfo> BrokerIdZNode::decode(BrokerId id, std::string_view data) {
    SAMSA_TRY(auto o, parse_object(data));
    BrokerInfo info;
    info.id = id;
    SAMSA_TRY(info.version, require_int32(o, "version"));
    if (info.version < 1) {
        return Errc::malformed_data;
    }
    if (const json::value* jmx = o.if_contains("jmx_port")) {
        info.jmx_port = as_int<int32_t>(*jmx).value_or(-1);
    }
    if (const json::value* ts = o.if_contains("timestamp")) {
        if (ts->is_string()) {
            const json::string& text = ts->get_string();
            info.timestamp_ms =
                parse_decimal<int64_t>(std::string_view(text.data(), text.size())).value_or(-1);
        } else {
            info.timestamp_ms = as_int64(*ts).value_or(-1);
        }
    }
    SAMSA_TRY(info.endpoints, read_endpoints(o, info.version));
    if (const json::value* rack = o.if_contains("rack"); rack != nullptr && !rack->is_null()) {
        if (!rack->is_string()) {
            return Errc::malformed_data;
        }
        info.rack = std::string(rack->get_string());
    }
    SAMSA_TRY(info.features, read_features(o));
    return info;
}

// ---- Topics and partitions -------------------------------------------------------------------

std::string TopicZNode::path(std::string_view topic) {
    return TopicsZNode::path() + "/" + std::string(topic);
}

std::string TopicZNode::encode(const std::optional<Uuid>& topic_id,
                               const std::map<int32_t, ReplicaAssignment>& partitions) {
    json::object replicas;
    json::object adding;
    json::object removing;
    for (const auto& [partition, assignment] : partitions) {
        const std::string key = std::to_string(partition);
        replicas[key] = broker_array(assignment.replicas);
        if (!assignment.adding_replicas.empty()) {
            adding[key] = broker_array(assignment.adding_replicas);
        }
        if (!assignment.removing_replicas.empty()) {
            removing[key] = broker_array(assignment.removing_replicas);
        }
    }
    json::object o;
    o["version"] = 3;
    if (topic_id) {
        o["topic_id"] = topic_id->to_string();
    }
    o["partitions"] = std::move(replicas);
    o["adding_replicas"] = std::move(adding);
    o["removing_replicas"] = std::move(removing);
    return to_text(o);
}

result<TopicAssignment> TopicZNode::decode(std::string_view data) {
    SAMSA_TRY(auto o, parse_object(data));
    TopicAssignment out;
    if (const json::value* id = o.if_contains("topic_id"); id != nullptr && !id->is_null()) {
        if (!id->is_string()) {
            return Errc::malformed_data;
        }
        const json::string& text = id->get_string();
        out.topic_id = Uuid::from_string(std::string_view(text.data(), text.size()));
        if (!out.topic_id) {
            return Errc::malformed_data;
        }
    }
    SAMSA_TRY(read_replica_map(o, "partitions", out.partitions, &ReplicaAssignment::replicas));
    std::map<int32_t, ReplicaAssignment> extra;
    SAMSA_TRY(read_replica_map(o, "adding_replicas", extra, &ReplicaAssignment::adding_replicas));
    SAMSA_TRY(
        read_replica_map(o, "removing_replicas", extra, &ReplicaAssignment::removing_replicas));
    for (auto& [partition, lists] : extra) {
        // Kafka ignores adding/removing entries of partitions that are not in "partitions".
        if (const auto it = out.partitions.find(partition); it != out.partitions.end()) {
            it->second.adding_replicas = std::move(lists.adding_replicas);
            it->second.removing_replicas = std::move(lists.removing_replicas);
        }
    }
    return out;
}

std::string TopicPartitionsZNode::path(std::string_view topic) {
    return TopicZNode::path(topic) + "/partitions";
}

std::string TopicPartitionZNode::path(const TopicPartition& tp) {
    return TopicPartitionsZNode::path(tp.topic) + "/" + std::to_string(tp.partition);
}

std::string TopicPartitionStateZNode::path(const TopicPartition& tp) {
    return TopicPartitionZNode::path(tp) + "/state";
}

std::string TopicPartitionStateZNode::encode(const LeaderIsrAndControllerEpoch& state) {
    const LeaderAndIsr& l = state.leader_and_isr;
    return to_text(json::object{{"controller_epoch", state.controller_epoch.value()},
                                {"leader", l.leader.value()},
                                {"version", 1},
                                {"leader_epoch", l.leader_epoch.value()},
                                {"isr", broker_array(l.isr)}});
}

result<LeaderIsrAndControllerEpoch> TopicPartitionStateZNode::decode(std::string_view data,
                                                                     int32_t zk_version) {
    SAMSA_TRY(auto o, parse_object(data));
    LeaderIsrAndControllerEpoch state;
    SAMSA_TRY(auto leader, require_int32(o, "leader"));
    SAMSA_TRY(auto leader_epoch, require_int32(o, "leader_epoch"));
    SAMSA_TRY(auto controller_epoch, require_int32(o, "controller_epoch"));
    const json::value* isr = o.if_contains("isr");
    if (isr == nullptr) {
        return Errc::malformed_data;
    }
    SAMSA_TRY(state.leader_and_isr.isr, to_broker_ids(*isr));
    state.leader_and_isr.leader = BrokerId(leader);
    state.leader_and_isr.leader_epoch = LeaderEpoch(leader_epoch);
    state.leader_and_isr.zk_version = zk_version;
    state.controller_epoch = ControllerEpoch(controller_epoch);
    return state;
}

// ---- Configs ---------------------------------------------------------------------------------

std::string ConfigEntityTypeZNode::path(std::string_view entity_type) {
    return ConfigZNode::path() + "/" + std::string(entity_type);
}

std::string ConfigEntityZNode::path(std::string_view entity_type, std::string_view entity_name) {
    return ConfigEntityTypeZNode::path(entity_type) + "/" + std::string(entity_name);
}

std::string ConfigEntityZNode::encode(const ConfigMap& config) {
    json::object entries;
    for (const auto& [key, value] : config) {
        entries[key] = value;
    }
    return to_text(json::object{{"version", 1}, {"config", std::move(entries)}});
}

result<ConfigMap> ConfigEntityZNode::decode(const std::optional<std::string>& data) {
    if (!data || data->empty()) {
        return ConfigMap{};
    }
    SAMSA_TRY(auto o, parse_object(*data));
    const json::value* config = o.if_contains("config");
    if (config == nullptr || config->is_null()) {
        return ConfigMap{};
    }
    return to_string_map(*config);
}

std::string ConfigEntityChangeNotificationSequenceZNode::path(std::string_view sequence_number) {
    return ConfigEntityChangeNotificationZNode::path() + "/" + std::string(kSequenceNumberPrefix) +
           std::string(sequence_number);
}

std::string ConfigEntityChangeNotificationSequenceZNode::encode(std::string_view entity_path) {
    return to_text(json::object{{"version", 2}, {"entity_path", entity_path}});
}

result<std::string> ConfigEntityChangeNotificationSequenceZNode::decode(std::string_view data) {
    SAMSA_TRY(auto o, parse_object(data));
    SAMSA_TRY(auto version, require_int32(o, "version"));
    if (version == 1) {
        SAMSA_TRY(auto type, require_string(o, "entity_type"));
        SAMSA_TRY(auto name, require_string(o, "entity_name"));
        return type + "/" + name;
    }
    return require_string(o, "entity_path");
}

// ---- Admin and notifications -----------------------------------------------------------------

std::string DeleteTopicsTopicZNode::path(std::string_view topic) {
    return DeleteTopicsZNode::path() + "/" + std::string(topic);
}

std::string IsrChangeNotificationSequenceZNode::path(std::string_view sequence_number) {
    return IsrChangeNotificationZNode::path() + "/" + std::string(kSequenceNumberPrefix) +
           std::string(sequence_number);
}

namespace {

// {"version":1,"partitions":[{"topic":"t","partition":0}]}: the partition list of ISR change
// notifications and preferred replica elections.
std::string encode_partition_list(const std::vector<TopicPartition>& partitions) {
    json::array list;
    for (const TopicPartition& tp : partitions) {
        list.emplace_back(json::object{{"topic", tp.topic}, {"partition", tp.partition}});
    }
    return to_text(json::object{{"version", 1}, {"partitions", std::move(list)}});
}

result<std::vector<TopicPartition>> decode_partition_list(std::string_view data) {
    SAMSA_TRY(auto o, parse_object(data));
    const json::value* list = o.if_contains("partitions");
    if (list == nullptr || !list->is_array()) {
        return Errc::malformed_data;
    }
    std::vector<TopicPartition> partitions;
    for (const json::value& e : list->get_array()) {
        if (!e.is_object()) {
            return Errc::malformed_data;
        }
        SAMSA_TRY(auto topic, require_string(e.get_object(), "topic"));
        SAMSA_TRY(auto partition, require_int32(e.get_object(), "partition"));
        partitions.push_back(TopicPartition{std::move(topic), partition});
    }
    return partitions;
}

}  // namespace

std::string IsrChangeNotificationSequenceZNode::encode(
    const std::vector<TopicPartition>& partitions) {
    return encode_partition_list(partitions);
}

result<std::vector<TopicPartition>> IsrChangeNotificationSequenceZNode::decode(
    std::string_view data) {
    return decode_partition_list(data);
}

std::string PreferredReplicaElectionZNode::encode(const std::vector<TopicPartition>& partitions) {
    return encode_partition_list(partitions);
}

result<std::vector<TopicPartition>> PreferredReplicaElectionZNode::decode(std::string_view data) {
    return decode_partition_list(data);
}

std::string ReassignPartitionsZNode::encode(
    const std::map<TopicPartition, std::vector<BrokerId>>& targets) {
    json::array list;
    for (const auto& [tp, replicas] : targets) {
        list.emplace_back(json::object{{"topic", tp.topic},
                                       {"partition", tp.partition},
                                       {"replicas", broker_array(replicas)}});
    }
    return to_text(json::object{{"version", 1}, {"partitions", std::move(list)}});
}

result<std::map<TopicPartition, std::vector<BrokerId>>> ReassignPartitionsZNode::decode(
    std::string_view data) {
    SAMSA_TRY(auto o, parse_object(data));
    const json::value* list = o.if_contains("partitions");
    if (list == nullptr || !list->is_array()) {
        return Errc::malformed_data;
    }
    std::map<TopicPartition, std::vector<BrokerId>> targets;
    for (const json::value& e : list->get_array()) {
        if (!e.is_object()) {
            return Errc::malformed_data;
        }
        SAMSA_TRY(auto topic, require_string(e.get_object(), "topic"));
        SAMSA_TRY(auto partition, require_int32(e.get_object(), "partition"));
        const json::value* replicas = e.get_object().if_contains("replicas");
        if (replicas == nullptr) {
            return Errc::malformed_data;
        }
        SAMSA_TRY(auto ids, to_broker_ids(*replicas));
        // A partition listed twice: the last entry wins, as Kafka's map does.
        targets[TopicPartition{std::move(topic), partition}] = std::move(ids);
    }
    return targets;
}

std::string AclZNodes::store_path(bool prefixed) {
    return prefixed ? "/kafka-acl-extended/prefixed" : "/kafka-acl";
}

std::string AclZNodes::type_path(bool prefixed, std::string_view resource_type) {
    return store_path(prefixed) + "/" + std::string(resource_type);
}

std::string AclZNodes::resource_path(bool prefixed, std::string_view resource_type,
                                     std::string_view resource_name) {
    return type_path(prefixed, resource_type) + "/" + std::string(resource_name);
}

std::string AclZNodes::change_path(bool prefixed) {
    return prefixed ? "/kafka-acl-extended-changes" : "/kafka-acl-changes";
}

}  // namespace samsa::zk
