// `samsa-admin consumer-groups`: Kafka 2.8's kafka-consumer-groups.sh (ConsumerGroupCommand's
// ConsumerGroupService): list, describe (offsets and lag, members, state), delete groups,
// reset offsets (refused while the group has members) and delete offsets, with its output.

#include "broker/protocol/error_code.h"
#include "tools/admin/admin_commands.h"
#include "tools/admin/consumer_groups_format.h"
#include "tools/admin/consumer_groups_options.h"
#include "tools/admin/group_admin.h"
#include "tools/admin/option_checks.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <iostream>
#include <set>

namespace samsa::admin {

namespace {

constexpr int64_t kLatest = -1;
constexpr int64_t kEarliest = -2;

void print_error(const std::string& message) {
    std::cout << "\nError: " << message << "\n";
}

std::vector<std::string> group_ids(GroupAdmin& admin, const ConsumerGroupsOptions& o) {
    if (!o.all_groups) {
        return o.groups;
    }
    std::vector<std::string> out;
    for (const auto& g : admin.list_groups()) {
        out.push_back(g.group_id);
    }
    return out;
}

// A description the command can print, or ToolError (describeConsumerGroups' failed future).
GroupDescription describe(GroupAdmin& admin, const std::string& group) {
    GroupDescription d = admin.describe_group(group);
    if (d.error_code != 0) {
        throw ToolError{error_message(d.error_code, std::nullopt)};
    }
    return d;
}

// shouldPrintMemberState: warnings on stderr, "does not exist" as an error on stdout.
bool should_print(const std::string& group, const std::string& state, std::size_t rows) {
    if (state == "Dead") {
        print_error("Consumer group '" + group + "' does not exist.");
        return false;
    }
    if (state == "Empty") {
        std::cerr << "\nConsumer group '" << group << "' has no active members.\n";
    } else if (state == "PreparingRebalance" || state == "CompletingRebalance") {
        std::cerr << "\nWarning: Consumer group '" << group << "' is rebalancing.\n";
    } else if (state != "Stable") {
        throw ToolError{"Expected a valid consumer group state, but found '" + state + "'."};
    }
    return rows > 0;
}

// collectGroupOffsets: one row per partition a member owns (the members with most partitions
// first), then one per partition with a committed offset and no owner.
std::vector<PartitionAssignmentRow> offset_rows(GroupAdmin& admin, const GroupDescription& g) {
    const auto committed = admin.committed_offsets(g.group_id);
    std::vector<const GroupMember*> members;
    for (const auto& m : g.members) {
        if (!m.assignment.empty()) {
            members.push_back(&m);
        }
    }
    std::stable_sort(members.begin(), members.end(), [](const auto* a, const auto* b) {
        return a->assignment.size() > b->assignment.size();
    });
    std::vector<TopicPartition> all;
    std::set<TopicPartition> assigned;
    for (const auto* m : members) {
        for (const auto& tp : m->assignment) {
            all.push_back(tp);
            assigned.insert(tp);
        }
    }
    for (const auto& [tp, offset] : committed) {
        if (!assigned.contains(tp)) {
            all.push_back(tp);
        }
    }
    const auto log_end = admin.list_offsets(all, kLatest);
    auto row = [&](const TopicPartition& tp, const GroupMember* m) {
        PartitionAssignmentRow r;
        r.group = g.group_id;
        r.topic = tp.first;
        r.partition = tp.second;
        if (auto c = committed.find(tp); c != committed.end()) {
            r.offset = c->second;
        }
        if (auto e = log_end.find(tp); e != log_end.end()) {
            r.log_end_offset = e->second;
        }
        r.consumer_id = m ? m->member_id : "-";
        r.host = m ? m->host : "-";
        r.client_id = m ? m->client_id : "-";
        return r;
    };
    std::vector<PartitionAssignmentRow> rows;
    for (const auto* m : members) {
        auto tps = m->assignment;
        std::sort(tps.begin(), tps.end());
        for (const auto& tp : tps) {
            rows.push_back(row(tp, m));
        }
    }
    for (const auto& [tp, offset] : committed) {
        if (!assigned.contains(tp)) {
            rows.push_back(row(tp, nullptr));
        }
    }
    return rows;
}

void list_groups(GroupAdmin& admin, const ConsumerGroupsOptions& o) {
    auto groups = admin.list_groups();
    if (!o.state) {
        for (const auto& g : groups) {
            std::cout << g.group_id << "\n";
        }
        return;
    }
    if (o.state_filter) {
        // Kafka's ConsumerGroupState.parse is case-insensitive.
        std::set<std::string> wanted;
        std::string token;
        auto lower = [](std::string s) {
            std::transform(s.begin(), s.end(), s.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            return s;
        };
        for (char c : *o.state_filter + ",") {
            if (c == ',') {
                if (!token.empty()) {
                    wanted.insert(lower(token));
                }
                token.clear();
            } else if (c != ' ') {
                token += c;
            }
        }
        std::erase_if(groups,
                      [&](const ListedGroup& g) { return !wanted.contains(lower(g.state)); });
    }
    std::cout << format_group_states(groups);
}

void describe_groups(GroupAdmin& admin, const ConsumerGroupsOptions& o) {
    auto ids = group_ids(admin, o);
    std::sort(ids.begin(), ids.end());
    for (const auto& id : ids) {
        const GroupDescription g = describe(admin, id);
        if (o.members) {
            if (should_print(id, g.state, g.members.size())) {
                std::cout << format_members(id, g.members, o.verbose);
            }
        } else if (o.state) {
            if (should_print(id, g.state, 1)) {
                std::cout << format_state(g);
            }
        } else {
            const auto rows =
                g.state == "Dead" ? std::vector<PartitionAssignmentRow>{} : offset_rows(admin, g);
            if (should_print(id, g.state, rows.size())) {
                std::cout << format_offsets(rows);
            }
        }
    }
}

void delete_groups(GroupAdmin& admin, const ConsumerGroupsOptions& o) {
    std::vector<std::string> ok;
    std::vector<std::pair<std::string, int16_t>> failed;
    for (const auto& id : group_ids(admin, o)) {
        const int16_t error = admin.delete_group(id);
        if (error == 0) {
            ok.push_back(id);
        } else {
            failed.emplace_back(id, error);
        }
    }
    auto quoted = [](const std::vector<std::string>& ids) {
        std::string out;
        for (const auto& id : ids) {
            out += (out.empty() ? "'" : ", '") + id + "'";
        }
        return out;
    };
    if (failed.empty()) {
        std::cout << "Deletion of requested consumer groups (" << quoted(ok)
                  << ") was successful.\n";
        return;
    }
    print_error("Deletion of some consumer groups failed:");
    for (const auto& [id, error] : failed) {
        const auto code = static_cast<protocol::ErrorCode>(error);
        std::cout << "* Group '" << id
                  << "' could not be deleted due to: " << protocol::error_name(code) << ": "
                  << error_message(error, std::nullopt) << "\n";
    }
    if (!ok.empty()) {
        std::cout << "\nThese consumer groups were deleted successfully: " << quoted(ok) << "\n";
    }
}

// "t" (every partition) or "t:0,1,2".
std::vector<TopicPartition> parse_topic_partitions(GroupAdmin& admin,
                                                   const std::vector<std::string>& args) {
    std::vector<TopicPartition> out;
    for (const auto& arg : args) {
        const auto colon = arg.find(':');
        if (colon == std::string::npos) {
            for (int32_t p : admin.partitions_of(arg)) {
                out.emplace_back(arg, p);
            }
            continue;
        }
        const std::string topic = arg.substr(0, colon);
        std::string rest = arg.substr(colon + 1) + ",";
        std::string token;
        for (char c : rest) {
            if (c != ',') {
                token += c;
                continue;
            }
            int32_t p = 0;
            const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), p);
            if (token.empty() || ec != std::errc() || end != token.data() + token.size()) {
                throw UsageError{"For input string: \"" + token + "\""};
            }
            out.emplace_back(topic, p);
            token.clear();
        }
    }
    return out;
}

std::string tp_text(const TopicPartition& tp) {
    return tp.first + "-" + std::to_string(tp.second);
}

// checkOffsetsRange: an offset past either end of the log is moved to that end.
std::map<TopicPartition, int64_t> clamp_to_log(GroupAdmin& admin,
                                               const std::map<TopicPartition, int64_t>& wanted) {
    std::vector<TopicPartition> tps;
    for (const auto& [tp, offset] : wanted) {
        tps.push_back(tp);
    }
    const auto start = admin.list_offsets(tps, kEarliest);
    const auto end = admin.list_offsets(tps, kLatest);
    std::map<TopicPartition, int64_t> out;
    for (const auto& [tp, offset] : wanted) {
        const auto e = end.find(tp);
        if (e == end.end()) {
            throw ToolError{"Unexpected non-existing offset value for topic partition " +
                            tp_text(tp)};
        }
        const auto s = start.find(tp);
        if (offset > e->second) {
            out[tp] = e->second;
        } else if (s != start.end() && offset < s->second) {
            out[tp] = s->second;
        } else {
            out[tp] = offset;
        }
    }
    return out;
}

// Offsets at `timestamp`; a partition with no record that late gets its log end
// (getLogTimestampOffsets).
std::map<TopicPartition, int64_t> offsets_for_time(GroupAdmin& admin,
                                                   const std::vector<TopicPartition>& tps,
                                                   int64_t timestamp) {
    auto found = admin.list_offsets(tps, timestamp);
    std::vector<TopicPartition> missing;
    for (const auto& tp : tps) {
        if (!found.contains(tp)) {
            missing.push_back(tp);
        }
    }
    for (const auto& [tp, offset] : admin.list_offsets(missing, kLatest)) {
        found[tp] = offset;
    }
    return found;
}

std::map<TopicPartition, int64_t> from_log(const std::vector<TopicPartition>& tps,
                                           const std::map<TopicPartition, int64_t>& offsets,
                                           const char* what) {
    std::map<TopicPartition, int64_t> out;
    for (const auto& tp : tps) {
        const auto it = offsets.find(tp);
        if (it == offsets.end()) {
            throw UsageError{std::string("Error getting ") + what +
                             " of topic partition: " + tp_text(tp)};
        }
        out[tp] = it->second;
    }
    return out;
}

// prepareOffsetsToReset.
std::map<TopicPartition, int64_t> plan_reset(GroupAdmin& admin, const ConsumerGroupsOptions& o,
                                             const std::string& group,
                                             const std::vector<TopicPartition>& tps) {
    using S = ResetScenario;
    switch (o.scenario) {
        case S::to_offset: {
            std::map<TopicPartition, int64_t> wanted;
            for (const auto& tp : tps) {
                wanted[tp] = o.offset_value;
            }
            return clamp_to_log(admin, wanted);
        }
        case S::shift_by: {
            const auto current = admin.committed_offsets(group);
            std::map<TopicPartition, int64_t> wanted;
            for (const auto& tp : tps) {
                const auto it = current.find(tp);
                if (it == current.end()) {
                    throw UsageError{"Cannot shift offset for partition " + tp_text(tp) +
                                     " since there is no current committed offset"};
                }
                wanted[tp] = it->second + o.offset_value;
            }
            return clamp_to_log(admin, wanted);
        }
        case S::to_earliest:
            return from_log(tps, admin.list_offsets(tps, kEarliest), "starting offset");
        case S::to_latest:
            return from_log(tps, admin.list_offsets(tps, kLatest), "ending offset");
        case S::to_datetime: {
            const auto ts = parse_datetime(o.time_value);
            if (!ts) {
                throw UsageError{"Error parsing date/time in: " + o.time_value};
            }
            return from_log(tps, offsets_for_time(admin, tps, *ts), "offset by timestamp");
        }
        case S::by_duration: {
            const auto ms = parse_duration_ms(o.time_value);
            if (!ms) {
                throw UsageError{"Text cannot be parsed to a Duration: " + o.time_value};
            }
            const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
            return from_log(tps, offsets_for_time(admin, tps, now - *ms), "offset by timestamp");
        }
        case S::to_current: {
            const auto current = admin.committed_offsets(group);
            std::vector<TopicPartition> without;
            std::map<TopicPartition, int64_t> out;
            for (const auto& tp : tps) {
                if (auto it = current.find(tp); it != current.end()) {
                    out[tp] = it->second;
                } else {
                    without.push_back(tp);
                }
            }
            for (const auto& [tp, offset] :
                 from_log(without, admin.list_offsets(without, kLatest), "ending offset")) {
                out[tp] = offset;
            }
            return out;
        }
        case S::none:
            break;
    }
    throw UsageError{
        "Option '[reset-offsets]' requires one of the following scenarios: "
        "[to-offset], [shift-by], [to-datetime], [by-duration], [to-earliest], "
        "[to-latest], [to-current], [from-file]"};
}

void reset_offsets(GroupAdmin& admin, const ConsumerGroupsOptions& o) {
    std::map<std::string, std::map<TopicPartition, int64_t>> plan;
    for (const auto& group : group_ids(admin, o)) {
        const GroupDescription g = describe(admin, group);
        if (g.state != "Empty" && g.state != "Dead") {
            print_error("Assignments can only be reset if the group '" + group +
                        "' is inactive, but the current state is " + g.state + ".");
            plan[group] = {};
            continue;
        }
        std::vector<TopicPartition> tps;
        if (o.all_topics) {
            for (const auto& [tp, offset] : admin.committed_offsets(group)) {
                tps.push_back(tp);
            }
        } else if (!o.topics.empty()) {
            tps = parse_topic_partitions(admin, o.topics);
        } else {
            throw UsageError{"One of the reset scopes should be defined: --all-topics, --topic."};
        }
        auto offsets = plan_reset(admin, o, group, tps);
        if (o.execute) {
            for (const auto& [tp, error] : admin.commit_offsets(group, offsets)) {
                if (error != 0) {
                    throw ToolError{error_message(error, std::nullopt)};
                }
            }
        }
        plan[group] = std::move(offsets);
    }
    if (o.export_csv) {
        std::cout << format_reset_csv(plan, o.groups.size() != 1) << "\n";
    } else {
        std::cout << format_reset_plan(plan);
    }
}

void delete_offsets(GroupAdmin& admin, const ConsumerGroupsOptions& o) {
    const std::string& group = o.groups.front();
    std::vector<TopicPartition> tps;
    std::map<TopicPartition, std::string> results;
    for (const auto& arg : o.topics) {
        if (arg.find(':') == std::string::npos && admin.partitions_of(arg).empty()) {
            results[{arg, -1}] = "Error: " + error_message(3, std::nullopt);
            continue;
        }
        for (auto& tp : parse_topic_partitions(admin, {arg})) {
            tps.push_back(std::move(tp));
        }
    }
    auto [top, partitions] = admin.delete_offsets(group, tps);
    using E = protocol::ErrorCode;
    switch (static_cast<E>(top)) {
        case E::none: {
            std::string topics;
            for (const auto& t : o.topics) {
                topics += (topics.empty() ? "" : ", ") + t;
            }
            std::cout << "Request succeed for deleting offsets with topic " << topics << " group "
                      << group << "\n";
            break;
        }
        case E::invalid_group_id:
            print_error("'" + group + "' is not valid.");
            break;
        case E::group_id_not_found:
            print_error("'" + group + "' does not exist.");
            break;
        case E::group_authorization_failed:
            print_error("Access to '" + group + "' is not authorized.");
            break;
        case E::non_empty_group:
            print_error("Deleting offsets of a consumer group '" + group +
                        "' is forbidden if the group is not empty.");
            break;
        case E::group_subscribed_to_topic:
        case E::topic_authorization_failed:
        case E::unknown_topic_or_partition:
            print_error("Encounter some partition level error, see the follow-up details:");
            break;
        default:
            print_error("Encounter some unknown error: " +
                        std::string(protocol::error_name(static_cast<E>(top))));
    }
    for (const auto& tp : tps) {
        const auto it = partitions.find(tp);
        const int16_t error = it == partitions.end() ? top : it->second;
        results[tp] = error == 0 ? "Successful" : "Error: " + error_message(error, std::nullopt);
    }
    std::cout << "\n"
              << pad("TOPIC", 30) << " " << pad("PARTITION", 15) << " " << pad("STATUS", 15)
              << "\n";
    for (const auto& [tp, status] : results) {
        std::cout << pad(tp.first, 30) << " "
                  << pad(tp.second >= 0 ? std::to_string(tp.second) : "Not Provided", 15) << " "
                  << pad(status, 15) << "\n";
    }
}

}  // namespace

int run_consumer_groups(const tools::Args& args) {
    ConsumerGroupsOptions opts;
    if (int rc = parse_consumer_groups_options(args, opts); rc >= 0) {
        return rc;
    }
    try {
        AdminClient client = make_admin_client(opts.bootstrap_server, opts.command_config);
        GroupAdmin admin(client);
        if (opts.list) {
            list_groups(admin, opts);
        } else if (opts.describe) {
            describe_groups(admin, opts);
        } else if (opts.remove) {
            delete_groups(admin, opts);
        } else if (opts.reset_offsets) {
            reset_offsets(admin, opts);
        } else if (opts.delete_offsets) {
            delete_offsets(admin, opts);
        }
    } catch (const UsageError& e) {
        // Kafka's run() turns IllegalArgumentException into printUsageAndDie.
        std::cerr << e.message << "\n";
        return 1;
    } catch (const ToolError& e) {
        print_error("Executing consumer group command failed due to " + e.message);
        return 1;
    }
    return 0;
}

}  // namespace samsa::admin
