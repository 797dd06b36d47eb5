#include "tools/admin/acls_options.h"

#include "tools/admin/option_checks.h"

#include <boost/program_options.hpp>

#include <algorithm>
#include <iostream>
#include <tuple>

namespace samsa::admin {

namespace {

namespace po = boost::program_options;
using namespace samsa::auth;

po::options_description describe_options() {
    po::options_description d("Options");
    auto many = [] { return po::value<std::vector<std::string>>()->composing(); };
    // One option per paragraph reads better than the formatter's chain.
    // clang-format off
    d.add_options()
        ("bootstrap-server", po::value<std::string>(),
         "REQUIRED: A list of host/port pairs to use for establishing the connection to the "
         "Kafka cluster.")
        ("command-config", po::value<std::string>(),
         "A property file containing configs to be passed to Admin Client.")
        ("add", "Indicates you are trying to add ACLs.")
        ("remove", "Indicates you are trying to remove ACLs.")
        ("list", "List ACLs for the specified resource, use --topic <topic> or --group <group> "
                 "or --cluster to specify a resource.")
        ("topic", many(), "topic to which ACLs should be added or removed. A value of * "
                          "indicates ACL should apply to all topics.")
        ("group", many(), "Consumer Group to which the ACLs should be added or removed. A "
                          "value of * indicates the ACLs should apply to all groups.")
        ("cluster", "Add/Remove cluster ACLs.")
        ("transactional-id", many(), "The transactionalId to which ACLs should be added or "
                                     "removed. A value of * indicates the ACLs should apply to "
                                     "all transactionalIds.")
        ("delegation-token", many(), "Delegation token to which ACLs should be added or "
                                     "removed. A value of * indicates ACL should apply to all "
                                     "tokens.")
        ("resource-pattern-type", po::value<std::string>()->default_value("LITERAL"),
         "The type of the resource pattern or pattern filter. When adding acls, this should be "
         "a specific pattern type, e.g. 'literal' or 'prefixed'. When listing or removing acls, "
         "a specific pattern type can be used to list or remove acls from specific resource "
         "patterns, or use the filter values of 'any' or 'match'.")
        ("allow-principal", many(), "principal is in principalType:name format. Note that "
                                    "principalType must be supported by the Authorizer being "
                                    "used. User:* is the wildcard indicating all users.")
        ("deny-principal", many(), "principal is in principalType:name format. By default "
                                   "anyone not added through --allow-principal is denied.")
        ("principal", many(), "List ACLs for the specified principal. principal is in "
                              "principalType:name format. Multiple --principal option can be "
                              "passed.")
        ("allow-host", many(), "Host from which principals listed in --allow-principal will "
                               "have access. If you have specified --allow-principal then the "
                               "default for this option will be set to * which allows access "
                               "from all hosts.")
        ("deny-host", many(), "Host from which principals listed in --deny-principal will be "
                              "denied access. If you have specified --deny-principal then the "
                              "default for this option will be set to * which denies access "
                              "from all hosts.")
        ("operation", many(), "Operation that is being allowed or denied. Valid operation "
                              "names are: Describe, DescribeConfigs, Alter, IdempotentWrite, "
                              "Read, Delete, Create, ClusterAction, All, Write, AlterConfigs "
                              "(default: All)")
        ("producer", "Convenience option to add/remove ACLs for producer role. This will "
                     "generate ACLs that allows WRITE,DESCRIBE and CREATE on topic.")
        ("consumer", "Convenience option to add/remove ACLs for consumer role. This will "
                     "generate ACLs that allows READ,DESCRIBE on topic and READ on group.")
        ("idempotent", "Enable idempotence for the producer. This should be used in "
                       "combination with the --producer option.")
        ("force", "Assume Yes to all queries and do not prompt.")
        ("help", "Print usage information.");
    // clang-format on
    return d;
}

std::vector<std::string> values(const po::variables_map& vm, const char* key) {
    std::vector<std::string> out;
    if (vm.count(key)) {
        for (const auto& v : vm[key].as<std::vector<std::string>>()) {
            const auto first = v.find_first_not_of(' ');
            const auto last = v.find_last_not_of(' ');
            out.push_back(first == std::string::npos ? "" : v.substr(first, last - first + 1));
        }
    }
    return out;
}

void check_principals(const std::vector<std::string>& principals) {
    for (const auto& p : principals) {
        if (p.find(':') == std::string::npos) {
            throw UsageError{"expected a string in format principalType:principalName but got " +
                             p};
        }
    }
}

// AclCommandOptions.checkArgs.
void check_args(const po::variables_map& vm) {
    auto has = [&](const char* k) { return vm.count(k) > 0; };
    if (!has("bootstrap-server")) {
        throw UsageError{"Missing required argument \"[bootstrap-server]\""};
    }
    if (has("add") + has("remove") + has("list") != 1) {
        throw UsageError{"Command must include exactly one action: --list, --add, --remove. "};
    }
    for (const char* k :
         {"producer", "consumer", "allow-host", "allow-principal", "deny-host", "deny-principal"}) {
        if (has("list") && has(k)) {
            throw UsageError{"Option \"[list]\" can't be used with option \"[" + std::string(k) +
                             "]\""};
        }
    }
    for (const char* role : {"producer", "consumer"}) {
        for (const char* k : {"operation", "deny-principal", "deny-host"}) {
            if (has(role) && has(k)) {
                throw UsageError{"Option \"[" + std::string(role) +
                                 "]\" can't be used with option \"[" + std::string(k) + "]\""};
            }
        }
    }
    if (has("principal") && !has("list")) {
        throw UsageError{"The --principal option is only available if --list is set"};
    }
    if (has("producer") && !has("topic")) {
        throw UsageError{"With --producer you must specify a --topic"};
    }
    if (has("idempotent") && !has("producer")) {
        throw UsageError{"The --idempotent option is only available if --producer is set"};
    }
    if (has("consumer") && (!has("topic") || !has("group") ||
                            (!has("producer") && (has("cluster") || has("transactional-id"))))) {
        throw UsageError{
            "With --consumer you must specify a --topic and a --group and no "
            "--cluster or --transactional-id option should be specified."};
    }
}

void fill(const po::variables_map& vm, AclsOptions& o) {
    auto servers = parse_bootstrap_servers(vm["bootstrap-server"].as<std::string>());
    if (!servers) {
        throw UsageError{"Invalid --bootstrap-server: " + vm["bootstrap-server"].as<std::string>()};
    }
    o.bootstrap_servers = std::move(servers).value();
    if (vm.count("command-config")) {
        o.command_config = vm["command-config"].as<std::string>();
    }
    o.add = vm.count("add") > 0;
    o.remove = vm.count("remove") > 0;
    o.list = vm.count("list") > 0;
    o.force = vm.count("force") > 0;
    o.producer = vm.count("producer") > 0;
    o.consumer = vm.count("consumer") > 0;
    o.idempotent = vm.count("idempotent") > 0;
    o.cluster = vm.count("cluster") > 0;
    o.topics = values(vm, "topic");
    o.groups = values(vm, "group");
    o.transactional_ids = values(vm, "transactional-id");
    o.delegation_tokens = values(vm, "delegation-token");
    const std::string pattern = vm["resource-pattern-type"].as<std::string>();
    auto p = parse_pattern_type(pattern);
    if (!p || *p == PatternType::unknown) {
        throw UsageError{"Invalid value '" + pattern + "' for --resource-pattern-type"};
    }
    o.pattern_type = *p;
    o.allow_principals = values(vm, "allow-principal");
    o.deny_principals = values(vm, "deny-principal");
    o.allow_hosts = values(vm, "allow-host");
    o.deny_hosts = values(vm, "deny-host");
    o.list_principals = values(vm, "principal");
    check_principals(o.allow_principals);
    check_principals(o.deny_principals);
    check_principals(o.list_principals);
    std::vector<std::string> ops = values(vm, "operation");
    if (ops.empty()) {
        ops.push_back("All");
    }
    for (const auto& name : ops) {
        auto op = parse_operation(name);
        if (!op) {
            throw UsageError{"Unknown operation: " + name};
        }
        o.operations.push_back(*op);
    }
}

// AclEntry.supportedOperations, plus All.
std::set<AclOperation> supported_operations(ResourceType t) {
    using O = AclOperation;
    switch (t) {
        case ResourceType::topic:
            return {O::read,    O::write, O::create,           O::describe,
                    O::delete_, O::alter, O::describe_configs, O::alter_configs,
                    O::all};
        case ResourceType::group:
            return {O::read, O::describe, O::delete_, O::all};
        case ResourceType::cluster:
            return {O::create,           O::cluster_action, O::describe_configs, O::alter_configs,
                    O::idempotent_write, O::alter,          O::describe,         O::all};
        case ResourceType::transactional_id:
            return {O::describe, O::write, O::all};
        case ResourceType::delegation_token:
            return {O::describe, O::all};
    }
    return {};
}

std::string operations_text(const std::set<AclOperation>& ops) {
    std::string out;
    for (const auto op : ops) {
        out += (out.empty() ? "" : ",") + std::string(operation_enum_name(op));
    }
    return out;
}

std::vector<std::string> hosts_for(const std::vector<std::string>& hosts,
                                   const std::vector<std::string>& principals) {
    if (!hosts.empty()) {
        return hosts;
    }
    return principals.empty() ? std::vector<std::string>{} : std::vector<std::string>{"*"};
}

}  // namespace

std::vector<ResourcePatternFilter> AclsOptions::resource_filters() const {
    std::set<ResourcePatternFilter> out;
    auto add_all = [&](ResourceType t, const std::vector<std::string>& names) {
        for (const auto& n : names) {
            out.insert(ResourcePatternFilter{t, n, pattern_type});
        }
    };
    add_all(ResourceType::topic, topics);
    if (pattern_type == PatternType::literal && (cluster || idempotent)) {
        out.insert(ResourcePatternFilter{ResourceType::cluster, std::string(kClusterName),
                                         PatternType::literal});
    }
    add_all(ResourceType::group, groups);
    add_all(ResourceType::transactional_id, transactional_ids);
    add_all(ResourceType::delegation_token, delegation_tokens);
    return {out.begin(), out.end()};
}

std::map<ResourcePatternFilter, std::set<AclEntry>> AclsOptions::filter_to_acls() const {
    auto acls_for = [&](const std::vector<AclOperation>& ops) {
        std::set<AclEntry> out;
        for (const auto& [principals, hosts, permission] :
             {std::tuple{&allow_principals, hosts_for(allow_hosts, allow_principals),
                         AclPermissionType::allow},
              std::tuple{&deny_principals, hosts_for(deny_hosts, deny_principals),
                         AclPermissionType::deny}}) {
            for (const auto& p : *principals) {
                for (const auto op : ops) {
                    for (const auto& h : hosts) {
                        out.insert(AclEntry{p, h, op, permission});
                    }
                }
            }
        }
        return out;
    };
    std::map<ResourcePatternFilter, std::set<AclEntry>> out;
    const auto filters = resource_filters();
    if (!producer && !consumer) {
        for (const auto& f : filters) {
            out[f] = acls_for(operations);
        }
    }
    using O = AclOperation;
    for (const auto& f : filters) {
        if (producer && f.resource_type == ResourceType::topic) {
            out[f] = acls_for({O::write, O::describe, O::create});
        } else if (producer && f.resource_type == ResourceType::transactional_id) {
            out[f] = acls_for({O::write, O::describe});
        } else if (producer && idempotent && f.resource_type == ResourceType::cluster) {
            out[f] = acls_for({O::idempotent_write});
        }
    }
    for (const auto& f : filters) {
        if (consumer && f.resource_type == ResourceType::topic) {
            out[f].merge(acls_for({O::read, O::describe}));
        } else if (consumer && f.resource_type == ResourceType::group) {
            out[f].merge(acls_for({O::read}));
        }
    }
    return out;
}

std::map<ResourcePattern, std::set<AclEntry>> AclsOptions::resource_to_acls() const {
    std::map<ResourcePattern, std::set<AclEntry>> out;
    for (auto& [f, acls] : filter_to_acls()) {
        out[ResourcePattern{*f.resource_type, *f.name, f.pattern_type}] = acls;
    }
    return out;
}

int parse_acls_options(const std::vector<std::string>& args, AclsOptions& opts) {
    const po::options_description d = describe_options();
    const CommandLine command_line{d, [&](std::ostream& os) {
                                       os << "This tool helps to manage acls on kafka.\n"
                                          << d << "\n";
                                   }};
    return parse_command_line(args, command_line, [&](const po::variables_map& vm) {
        check_args(vm);
        fill(vm, opts);
        if (opts.add || opts.remove) {
            if (opts.resource_filters().empty()) {
                throw UsageError{
                    "You must provide at least one resource: --topic <topic> or "
                    "--cluster or --group <group> or --delegation-token "
                    "<Delegation Token ID>"};
            }
            for (const auto& [f, acls] : opts.filter_to_acls()) {
                const auto valid = supported_operations(*f.resource_type);
                for (const auto& e : acls) {
                    if (!valid.contains(e.operation)) {
                        throw UsageError{"ResourceType " +
                                         std::string(resource_type_enum_name(*f.resource_type)) +
                                         " only supports operations " + operations_text(valid)};
                    }
                }
            }
        }
        if (opts.add) {
            if (opts.pattern_type != PatternType::literal &&
                opts.pattern_type != PatternType::prefixed) {
                throw UsageError{"A '--resource-pattern-type' value of '" +
                                 std::string(pattern_type_enum_name(opts.pattern_type)) +
                                 "' is not valid when adding acls."};
            }
            for (const auto& [f, acls] : opts.filter_to_acls()) {
                if (acls.empty()) {
                    throw UsageError{
                        "You must specify one of: --allow-principal, "
                        "--deny-principal when trying to add ACLs."};
                }
            }
        }
    });
}

}  // namespace samsa::admin
