#include "tools/admin/consumer_groups_options.h"

#include "tools/admin/option_checks.h"

#include <boost/program_options.hpp>

#include <charconv>
#include <ctime>
#include <iostream>

namespace samsa::admin {

namespace {

namespace po = boost::program_options;

po::options_description describe_options() {
    po::options_description d("Options");
    auto many = [] { return po::value<std::vector<std::string>>()->composing(); };
    // clang-format off
    d.add_options()
        ("all-groups", "Apply to all consumer groups.")
        ("all-topics", "Consider all topics assigned to a group in the `reset-offsets` process.")
        ("bootstrap-server", po::value<std::string>(),
         "REQUIRED: The server(s) to connect to.")
        ("by-duration", po::value<std::string>(),
         "Reset offsets to offset by duration from current timestamp. Format: 'PnDTnHnMnS'")
        ("command-config", po::value<std::string>(),
         "Property file containing configs to be passed to Admin Client and Consumer.")
        ("delete", "Pass in groups to delete topic partition offsets and ownership information "
                   "over the entire consumer group. For instance --group g1 --group g2")
        ("delete-offsets", "Delete offsets of consumer group. Supports one consumer group at "
                           "the time, and multiple topics.")
        ("describe", "Describe consumer group and list offset lag (number of messages not yet "
                     "processed) related to given group.")
        ("dry-run", "Only show results without executing changes on Consumer Groups. Supported "
                    "operations: reset-offsets.")
        ("execute", "Execute operation. Supported operations: reset-offsets.")
        ("export", "Export operation execution to a CSV file. Supported operations: "
                   "reset-offsets.")
        ("group", many(), "The consumer group we wish to act on.")
        ("help", "Print usage information.")
        ("list", "List all consumer groups.")
        ("members", "Describe members of the group. This option may be used with '--describe' "
                    "and '--bootstrap-server' options only.")
        ("offsets", "Describe the group and list all topic partitions in the group along with "
                    "their offset lag. This is the default sub-action of and may be used with "
                    "'--describe' and '--bootstrap-server' options only.")
        ("reset-offsets", "Reset offsets of consumer group. Supports one consumer group at the "
                          "time, and instances should be inactive. Has 2 execution options: "
                          "--dry-run (the default) to plan which offsets to reset, and "
                          "--execute to update the offsets. You must choose one of the "
                          "following reset specifications: --to-datetime, --by-duration, "
                          "--to-earliest, --to-latest, --shift-by, --to-current, --to-offset. "
                          "To define the scope use --all-topics or --topic.")
        ("shift-by", po::value<int64_t>(), "Reset offsets shifting current offset by 'n', "
                                           "where 'n' can be positive or negative.")
        ("state", po::value<std::string>()->implicit_value(""),
         "When specified with '--describe', includes the state of the group. When specified "
         "with '--list', it displays the state of all groups. It can also be used to list "
         "groups with specific states (e.g. --list --state stable,empty).")
        ("timeout", po::value<int64_t>()->default_value(5000),
         "The timeout that can be set for some use cases (ms).")
        ("to-current", "Reset offsets to current offset.")
        ("to-datetime", po::value<std::string>(),
         "Reset offsets to offset from datetime. Format: 'YYYY-MM-DDTHH:mm:SS.sss'")
        ("to-earliest", "Reset offsets to earliest offset.")
        ("to-latest", "Reset offsets to latest offset.")
        ("to-offset", po::value<int64_t>(), "Reset offsets to a specific offset.")
        ("topic", many(), "The topic whose consumer group information should be deleted or "
                          "topic whose should be included in the reset offset process. In "
                          "`reset-offsets` case, partitions can be specified using this format: "
                          "`topic1:0,1,2`, where 0,1,2 are the partition to be included in the "
                          "process. Reset-offsets also supports multiple topic inputs.")
        ("verbose", "Provide additional information, if any, when describing the group.");
    // clang-format on
    return d;
}

constexpr const char* kScenarios[] = {"to-offset",   "shift-by",  "to-datetime", "by-duration",
                                      "to-earliest", "to-latest", "to-current"};

// jopt-simple's availableIf.
void available_if(const po::variables_map& vm, const char* option,
                  std::initializer_list<const char*> needs) {
    if (vm.count(option) == 0) {
        return;
    }
    for (const char* n : needs) {
        if (vm.count(n) > 0) {
            return;
        }
    }
    throw UsageError{"Option(s) [" + std::string(option) +
                     "] are unavailable given other options on the command line"};
}

// ConsumerGroupCommandOptions.checkArgs and the action count of ConsumerGroupCommand.main.
void check_args(const po::variables_map& vm) {
    auto has = [&](const char* k) { return vm.count(k) > 0; };
    const std::string scope = "[group], [all-groups]";
    require_args(vm, {"bootstrap-server"});
    available_if(vm, "members", {"describe"});
    available_if(vm, "verbose", {"describe"});
    available_if(vm, "offsets", {"describe"});
    available_if(vm, "state", {"describe", "list"});
    if (has("describe")) {
        if (!has("group") && !has("all-groups")) {
            throw UsageError{"Option [describe] takes one of these options: " + scope};
        }
        if (has("members") + has("offsets") + has("state") > 1) {
            throw UsageError{
                "Option [describe] takes at most one of these options: [members], "
                "[offsets], [state]"};
        }
        if (has("state") && !vm["state"].as<std::string>().empty()) {
            throw UsageError{"Option [describe] does not take a value for [state]"};
        }
    }
    if (has("delete")) {
        if (!has("group") && !has("all-groups")) {
            throw UsageError{"Option [delete] takes one of these options: " + scope};
        }
        if (has("topic")) {
            throw UsageError{
                "The consumer does not support topic-specific offset deletion from "
                "a consumer group."};
        }
    }
    if (has("delete-offsets") && (!has("group") || !has("topic"))) {
        throw UsageError{"Option [delete-offsets] takes the following options: [group], [topic]"};
    }
    if (has("reset-offsets")) {
        if (has("dry-run") && has("execute")) {
            throw UsageError{"Option [reset-offsets] only accepts one of [execute] and [dry-run]"};
        }
        if (!has("dry-run") && !has("execute")) {
            std::cerr << "WARN: No action will be performed as the --execute option is missing."
                         "In a future major release, the default behavior of this command will "
                         "be to prompt the user before executing the reset rather than doing a "
                         "dry run. You should add the --dry-run option explicitly if you are "
                         "scripting this command and want to keep the current default behavior "
                         "without prompting.\n";
        }
        if (!has("group") && !has("all-groups")) {
            throw UsageError{"Option [reset-offsets] takes one of these options: " + scope};
        }
        for (const char* a : kScenarios) {
            for (const char* b : kScenarios) {
                if (std::string_view(a) != b) {
                    forbid_with(vm, a, {b});
                }
            }
        }
    }
    forbid_with(vm, "group", {"all-groups", "list"});
    forbid_with(vm, "topic", {"list", "describe"});
    if (has("list") + has("describe") + has("delete") + has("reset-offsets") +
            has("delete-offsets") !=
        1) {
        throw UsageError{
            "Command must include exactly one action: --list, --describe, --delete, "
            "--reset-offsets, --delete-offsets"};
    }
}

void fill(const po::variables_map& vm, ConsumerGroupsOptions& o) {
    auto has = [&](const char* k) { return vm.count(k) > 0; };
    auto strings = [&](const char* k) {
        return has(k) ? vm[k].as<std::vector<std::string>>() : std::vector<std::string>{};
    };
    o.bootstrap_server = vm["bootstrap-server"].as<std::string>();
    if (has("command-config")) {
        o.command_config = vm["command-config"].as<std::string>();
    }
    o.list = has("list");
    o.describe = has("describe");
    o.remove = has("delete");
    o.reset_offsets = has("reset-offsets");
    o.delete_offsets = has("delete-offsets");
    o.groups = strings("group");
    o.all_groups = has("all-groups");
    o.topics = strings("topic");
    o.all_topics = has("all-topics");
    o.members = has("members");
    o.offsets = has("offsets");
    o.state = has("state");
    if (o.state && !vm["state"].as<std::string>().empty()) {
        o.state_filter = vm["state"].as<std::string>();
    }
    o.verbose = has("verbose");
    o.execute = has("execute");
    o.export_csv = has("export");
    o.timeout_ms = vm["timeout"].as<int64_t>();
    if (has("to-offset")) {
        o.scenario = ResetScenario::to_offset;
        o.offset_value = vm["to-offset"].as<int64_t>();
    } else if (has("shift-by")) {
        o.scenario = ResetScenario::shift_by;
        o.offset_value = vm["shift-by"].as<int64_t>();
    } else if (has("to-datetime")) {
        o.scenario = ResetScenario::to_datetime;
        o.time_value = vm["to-datetime"].as<std::string>();
    } else if (has("by-duration")) {
        o.scenario = ResetScenario::by_duration;
        o.time_value = vm["by-duration"].as<std::string>();
    } else if (has("to-earliest")) {
        o.scenario = ResetScenario::to_earliest;
    } else if (has("to-latest")) {
        o.scenario = ResetScenario::to_latest;
    } else if (has("to-current")) {
        o.scenario = ResetScenario::to_current;
    }
}

// jopt-simple takes "--state stable,empty" for an optional argument; boost only takes
// "--state=stable,empty", so a following word that is not an option is joined to it.
tools::Args join_optional_state(const tools::Args& args) {
    tools::Args out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--state" && i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) {
            out.push_back("--state=" + args[i + 1]);
            ++i;
        } else {
            out.push_back(args[i]);
        }
    }
    return out;
}

bool read_int(std::string_view s, int& out) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::optional<int64_t> parse_datetime(const std::string& text) {
    // Kafka appends the local zone when the text has none, then parses
    // "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"; seconds' fraction optional ("ss" then "ss.SSS").
    if (text.size() < 19 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
        text[13] != ':' || text[16] != ':') {
        return std::nullopt;
    }
    std::tm tm{};
    int year = 0, month = 0, day = 0;
    if (!read_int(std::string_view(text).substr(0, 4), year) ||
        !read_int(std::string_view(text).substr(5, 2), month) ||
        !read_int(std::string_view(text).substr(8, 2), day) ||
        !read_int(std::string_view(text).substr(11, 2), tm.tm_hour) ||
        !read_int(std::string_view(text).substr(14, 2), tm.tm_min) ||
        !read_int(std::string_view(text).substr(17, 2), tm.tm_sec)) {
        return std::nullopt;
    }
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    std::string_view rest = std::string_view(text).substr(19);
    int millis = 0;
    if (!rest.empty() && rest.front() == '.') {
        if (rest.size() < 4 || !read_int(rest.substr(1, 3), millis)) {
            return std::nullopt;
        }
        rest = rest.substr(4);
    }
    int64_t seconds = 0;
    if (rest.empty()) {
        tm.tm_isdst = -1;
        seconds = std::mktime(&tm);  // local time, as Kafka without a zone
    } else {
        int offset_minutes = 0;
        if (rest != "Z") {
            const int sign = rest.front() == '+' ? 1 : rest.front() == '-' ? -1 : 0;
            std::string digits;
            for (char c : rest.substr(1)) {
                if (c != ':') {
                    digits += c;
                }
            }
            int hh = 0, mm = 0;
            if (sign == 0 || digits.size() != 4 ||
                !read_int(std::string_view(digits).substr(0, 2), hh) ||
                !read_int(std::string_view(digits).substr(2, 2), mm)) {
                return std::nullopt;
            }
            offset_minutes = sign * (hh * 60 + mm);
        }
        seconds = timegm(&tm) - int64_t{offset_minutes} * 60;
    }
    return seconds * 1000 + millis;
}

std::optional<int64_t> parse_duration_ms(const std::string& text) {
    std::string_view s = text;
    int sign = 1;
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
        sign = s.front() == '-' ? -1 : 1;
        s.remove_prefix(1);
    }
    if (s.empty() || (s.front() != 'P' && s.front() != 'p')) {
        return std::nullopt;
    }
    s.remove_prefix(1);
    double total_ms = 0;
    bool in_time = false;
    bool any = false;
    while (!s.empty()) {
        if (s.front() == 'T' || s.front() == 't') {
            in_time = true;
            s.remove_prefix(1);
            continue;
        }
        std::size_t n = 0;
        while (n < s.size() && (std::isdigit(static_cast<unsigned char>(s[n])) || s[n] == '.' ||
                                s[n] == '-' || s[n] == '+')) {
            ++n;
        }
        if (n == 0 || n == s.size()) {
            return std::nullopt;
        }
        double value = 0;
        try {
            value = std::stod(std::string(s.substr(0, n)));
        } catch (const std::exception&) {
            return std::nullopt;
        }
        const char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(s[n])));
        if (!in_time && unit == 'D') {
            total_ms += value * 86400000.0;
        } else if (in_time && unit == 'H') {
            total_ms += value * 3600000.0;
        } else if (in_time && unit == 'M') {
            total_ms += value * 60000.0;
        } else if (in_time && unit == 'S') {
            total_ms += value * 1000.0;
        } else {
            return std::nullopt;
        }
        any = true;
        s.remove_prefix(n + 1);
    }
    if (!any) {
        return std::nullopt;
    }
    return sign * static_cast<int64_t>(total_ms);
}

int parse_consumer_groups_options(const tools::Args& args, ConsumerGroupsOptions& opts) {
    const po::options_description d = describe_options();
    const CommandLine command_line{
        d, [&](std::ostream& os) {
            os << "This tool helps to list all consumer groups, describe a consumer group, delete "
                  "consumer group info, or reset consumer group offsets.\n"
               << d << "\n";
        }};
    return parse_command_line(join_optional_state(args), command_line,
                              [&](const po::variables_map& vm) {
                                  check_args(vm);
                                  fill(vm, opts);
                              });
}

}  // namespace samsa::admin
