#include "tools/admin/reassignment_json.h"

#include <boost/json.hpp>

#include <charconv>
#include <set>

namespace samsa::admin {

namespace json = boost::json;

namespace {

json::value parse_json(const std::string& text) {
    try {
        return json::parse(text);
    } catch (const std::exception& e) {
        throw ToolError{std::string("Unable to parse the JSON: ") + e.what()};
    }
}

template <typename T>
std::vector<T> duplicates(const std::vector<T>& items) {
    std::set<T> seen;
    std::set<T> dup;
    for (const auto& i : items) {
        if (!seen.insert(i).second) {
            dup.insert(i);
        }
    }
    return {dup.begin(), dup.end()};
}

}  // namespace

std::string tp_name(const TopicPartition& tp) {
    return tp.first + "-" + std::to_string(tp.second);
}

std::vector<std::string> parse_topics_to_move(const std::string& json_text) {
    const json::value doc = parse_json(json_text);
    std::vector<std::string> out;
    try {
        for (const auto& t : doc.at("topics").as_array()) {
            out.push_back(json::value_to<std::string>(t.at("topic")));
        }
    } catch (const std::exception& e) {
        throw ToolError{std::string("Unable to parse the topics to move: ") + e.what()};
    }
    const auto dup = duplicates(out);
    if (!dup.empty()) {
        std::string list;
        for (const auto& t : dup) {
            list += (list.empty() ? "" : ",") + t;
        }
        throw ToolError{"List of topics to reassign contains duplicate entries: " + list};
    }
    return out;
}

ReplicaAssignment parse_reassignment(const std::string& json_text) {
    const json::value doc = parse_json(json_text);
    std::vector<std::pair<TopicPartition, std::vector<int32_t>>> entries;
    try {
        const json::object& root = doc.as_object();
        if (const auto* v = root.if_contains("version"); v && v->to_number<int>() != 1) {
            throw ToolError{"Not supported version field value " +
                            std::to_string(v->to_number<int>())};
        }
        for (const auto& p : root.at("partitions").as_array()) {
            const json::object& o = p.as_object();
            TopicPartition tp{json::value_to<std::string>(o.at("topic")),
                              json::value_to<int32_t>(o.at("partition"))};
            auto replicas = json::value_to<std::vector<int32_t>>(o.at("replicas"));
            if (const auto* dirs = o.if_contains("log_dirs")) {
                for (const auto& d : dirs->as_array()) {
                    if (d.as_string() != "any") {
                        throw ToolError{
                            "Moving replicas between log directories is not "
                            "supported: " +
                            tp_name(tp) + " names log dir " + std::string(d.as_string())};
                    }
                }
                if (dirs->as_array().size() != replicas.size()) {
                    throw ToolError{"Size of replicas list " + std::to_string(replicas.size()) +
                                    " is different from size of log dirs list " +
                                    std::to_string(dirs->as_array().size()) + " for partition " +
                                    tp_name(tp)};
                }
            }
            entries.emplace_back(std::move(tp), std::move(replicas));
        }
    } catch (const ToolError&) {
        throw;
    } catch (const std::exception& e) {
        throw ToolError{std::string("Unable to parse the reassignment: ") + e.what()};
    }
    if (entries.empty()) {
        throw ToolError{"Partition reassignment list cannot be empty"};
    }
    std::vector<TopicPartition> tps;
    std::string replica_dups;
    for (const auto& [tp, replicas] : entries) {
        if (replicas.empty()) {
            throw ToolError{"Partition replica list cannot be empty"};
        }
        tps.push_back(tp);
        if (const auto dup = duplicates(replicas); !dup.empty()) {
            replica_dups += (replica_dups.empty() ? "" : ". ") + tp_name(tp) +
                            " contains multiple entries for " + join_ids(dup);
        }
    }
    if (const auto dup = duplicates(tps); !dup.empty()) {
        std::string list;
        for (const auto& tp : dup) {
            list += (list.empty() ? "" : ",") + tp_name(tp);
        }
        throw ToolError{"Partition reassignment contains duplicate topic partitions: " + list};
    }
    if (!replica_dups.empty()) {
        throw ToolError{"Partition replica lists may not contain duplicate entries: " +
                        replica_dups};
    }
    return ReplicaAssignment(entries.begin(), entries.end());
}

std::string format_reassignment(const ReplicaAssignment& assignment) {
    // Written by hand rather than through json::serialize so the keys keep Kafka's order.
    std::string out = "{\"version\":1,\"partitions\":[";
    bool first = true;
    for (const auto& [tp, replicas] : assignment) {
        out += first ? "" : ",";
        first = false;
        std::string dirs;
        for (std::size_t i = 0; i < replicas.size(); ++i) {
            dirs += i == 0 ? "\"any\"" : ",\"any\"";
        }
        out += "{\"topic\":" + json::serialize(json::value(tp.first)) +
               ",\"partition\":" + std::to_string(tp.second) + ",\"replicas\":[" +
               join_ids(replicas) + "],\"log_dirs\":[" + dirs + "]}";
    }
    return out + "]}";
}

std::vector<int32_t> parse_broker_list(const std::string& text) {
    std::vector<int32_t> out;
    std::string token;
    for (char c : text + ",") {
        if (c != ',') {
            token += c;
            continue;
        }
        int32_t id = 0;
        const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), id);
        if (token.empty() || ec != std::errc() || end != token.data() + token.size()) {
            throw ToolError{"For input string: \"" + token + "\""};
        }
        out.push_back(id);
        token.clear();
    }
    if (const auto dup = duplicates(out); !dup.empty()) {
        throw ToolError{"Broker list contains duplicate entries: " + join_ids(dup)};
    }
    return out;
}

}  // namespace samsa::admin
