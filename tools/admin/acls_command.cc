// `samsa-admin acls`: Kafka 2.8's kafka-acls.sh (kafka.admin.AclCommand, its AdminClient
// service): the same flags, checks, confirmations and output, over CreateAcls, DescribeAcls
// and DeleteAcls v1. Sets of ACLs print in sorted order (Kafka's are hash-ordered).

#include "tools/admin/acls_command.h"

#include "auth/acl.h"
#include "broker/protocol/error_code.h"
#include "broker/protocol/generated/create_acls_request.h"
#include "broker/protocol/generated/create_acls_response.h"
#include "broker/protocol/generated/delete_acls_request.h"
#include "broker/protocol/generated/delete_acls_response.h"
#include "broker/protocol/generated/describe_acls_request.h"
#include "broker/protocol/generated/describe_acls_response.h"
#include "tools/admin/acls_options.h"
#include "tools/admin/admin_client.h"

#include <boost/program_options.hpp>

#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace samsa::admin {

namespace {

using namespace samsa::auth;

constexpr int16_t kAclApiVersion = 1;

// Kafka's AclCommand fails with "Error while executing ACL command: <exception message>".
struct CommandError {
    std::string message;
};

std::string api_error(int16_t code, const std::optional<std::string>& message) {
    std::string out(protocol::error_name(static_cast<protocol::ErrorCode>(code)));
    if (message && !message->empty()) {
        out += ": " + *message;
    }
    return out;
}

std::string entries_text(const std::set<AclEntry>& acls) {
    std::string out;
    for (const auto& e : acls) {
        out += (out.empty() ? "\t" : "\n\t") + to_string(e);
    }
    return out;
}

// AclCommand prints "<heading> `<pattern>`: \n \t<acl>\n\t<acl> \n" with println.
void print_block(const std::string& heading, const std::string& pattern,
                 const std::set<AclEntry>& acls) {
    std::cout << heading << " `" << pattern << "`: \n " << entries_text(acls) << " \n\n";
}

std::string filter_text(const ResourcePatternFilter& f) {
    return "ResourcePattern(resourceType=" +
           std::string(f.resource_type ? resource_type_enum_name(*f.resource_type) : "ANY") +
           ", name=" + f.name.value_or("<any>") +
           ", patternType=" + std::string(pattern_type_enum_name(f.pattern_type)) + ")";
}

int8_t type_code(const std::optional<ResourceType>& t) {
    return t ? resource_type_code(*t) : int8_t{1};
}

std::map<ResourcePattern, std::set<AclEntry>> describe(AdminClient& client,
                                                       const ResourcePatternFilter& f) {
    protocol::DescribeAclsRequestData request;
    request.resource_type_filter = type_code(f.resource_type);
    request.resource_name_filter = f.name;
    request.pattern_type_filter = static_cast<int8_t>(f.pattern_type);
    request.principal_filter = std::nullopt;  // nullable strings start out empty, not null
    request.host_filter = std::nullopt;
    request.operation = 1;        // ANY
    request.permission_type = 1;  // ANY
    auto response = client.send<protocol::DescribeAclsResponseData>(request, kAclApiVersion);
    if (!response) {
        throw CommandError{"cannot reach " + client.connected_to() + ": " +
                           response.error().message()};
    }
    if (response.value().error_code != 0) {
        throw CommandError{api_error(response.value().error_code, response.value().error_message)};
    }
    std::map<ResourcePattern, std::set<AclEntry>> out;
    for (const auto& r : response.value().resources) {
        auto type = resource_type_from_code(r.resource_type);
        if (!type) {
            continue;
        }
        auto& acls =
            out[ResourcePattern{*type, r.resource_name, static_cast<PatternType>(r.pattern_type)}];
        for (const auto& a : r.acls) {
            acls.insert(AclEntry{a.principal, a.host,
                                 operation_from_code(a.operation).value_or(AclOperation::all),
                                 static_cast<AclPermissionType>(a.permission_type)});
        }
    }
    return out;
}

// AclCommand.listAcls: every ACL of the resources named, or of all when none is.
void list_acls(AdminClient& client, const AclsOptions& opts) {
    std::vector<ResourcePatternFilter> filters = opts.resource_filters();
    if (filters.empty()) {
        filters.push_back(ResourcePatternFilter{std::nullopt, std::nullopt, PatternType::any});
    }
    std::map<ResourcePattern, std::set<AclEntry>> all;
    for (const auto& f : filters) {
        for (auto& [pattern, acls] : describe(client, f)) {
            all[pattern].insert(acls.begin(), acls.end());
        }
    }
    if (opts.list_principals.empty()) {
        for (const auto& [pattern, acls] : all) {
            print_block("Current ACLs for resource", to_string(pattern), acls);
        }
        return;
    }
    for (const std::string& principal : opts.list_principals) {
        std::cout << "ACLs for principal `" << principal << "`\n";
        for (const auto& [pattern, acls] : all) {
            std::set<AclEntry> mine;
            for (const auto& e : acls) {
                if (e.principal == principal) {
                    mine.insert(e);
                }
            }
            if (!mine.empty()) {
                print_block("Current ACLs for resource", to_string(pattern), mine);
            }
        }
    }
}

void add_acls(AdminClient& client, const AclsOptions& opts) {
    for (const auto& [pattern, acls] : opts.resource_to_acls()) {
        print_block("Adding ACLs for resource", to_string(pattern), acls);
        protocol::CreateAclsRequestData request;
        for (const auto& e : acls) {
            protocol::CreateAclsRequestData::AclCreation c;
            c.resource_type = resource_type_code(pattern.resource_type);
            c.resource_name = pattern.name;
            c.resource_pattern_type = static_cast<int8_t>(pattern.pattern_type);
            c.principal = e.principal;
            c.host = e.host;
            c.operation = operation_code(e.operation);
            c.permission_type = static_cast<int8_t>(e.permission);
            request.creations.push_back(std::move(c));
        }
        auto response = client.send<protocol::CreateAclsResponseData>(request, kAclApiVersion);
        if (!response) {
            throw CommandError{"cannot reach " + client.connected_to() + ": " +
                               response.error().message()};
        }
        for (const auto& r : response.value().results) {
            if (r.error_code != 0) {
                throw CommandError{api_error(r.error_code, r.error_message)};
            }
        }
    }
    list_acls(client, opts);
}

bool confirm(const AclsOptions& opts, const std::string& question) {
    if (opts.force) {
        return true;
    }
    std::cout << question << "\n" << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    return answer == "y" || answer == "Y";
}

void delete_acls(AdminClient& client, const ResourcePatternFilter& f,
                 const std::set<AclEntry>& acls) {
    protocol::DeleteAclsRequestData request;
    auto add_filter = [&](const AclEntry* e) {
        protocol::DeleteAclsRequestData::DeleteAclsFilter d;
        d.resource_type_filter = type_code(f.resource_type);
        d.resource_name_filter = f.name;
        d.pattern_type_filter = static_cast<int8_t>(f.pattern_type);
        if (e != nullptr) {
            d.principal_filter = e->principal;
            d.host_filter = e->host;
            d.operation = operation_code(e->operation);
            d.permission_type = static_cast<int8_t>(e->permission);
        } else {
            d.principal_filter = std::nullopt;
            d.host_filter = std::nullopt;
            d.operation = 1;        // ANY
            d.permission_type = 1;  // ANY
        }
        request.filters.push_back(std::move(d));
    };
    if (acls.empty()) {
        add_filter(nullptr);
    }
    for (const auto& e : acls) {
        add_filter(&e);
    }
    auto response = client.send<protocol::DeleteAclsResponseData>(request, kAclApiVersion);
    if (!response) {
        throw CommandError{"cannot reach " + client.connected_to() + ": " +
                           response.error().message()};
    }
    for (const auto& r : response.value().filter_results) {
        if (r.error_code != 0) {
            throw CommandError{api_error(r.error_code, r.error_message)};
        }
        for (const auto& m : r.matching_acls) {
            if (m.error_code != 0) {
                throw CommandError{api_error(m.error_code, m.error_message)};
            }
        }
    }
}

void remove_acls(AdminClient& client, const AclsOptions& opts) {
    for (const auto& [filter, acls] : opts.filter_to_acls()) {
        const std::string question =
            acls.empty() ? "Are you sure you want to delete all ACLs for resource filter `" +
                               filter_text(filter) + "`? (y/n)"
                         : "Are you sure you want to remove ACLs: \n " + entries_text(acls) +
                               " \n from resource filter `" + filter_text(filter) + "`? (y/n)";
        if (confirm(opts, question)) {
            delete_acls(client, filter, acls);
        }
    }
    list_acls(client, opts);
}

}  // namespace

int run_acls_command(const std::vector<std::string>& args) {
    AclsOptions opts;
    if (int rc = parse_acls_options(args, opts); rc >= 0) {
        return rc;
    }
    AdminClientConfig config;
    config.bootstrap_servers = opts.bootstrap_servers;
    if (!opts.command_config.empty() && !apply_command_config(opts.command_config, config)) {
        return 1;
    }
    AdminClient client(std::move(config));
    try {
        if (opts.add) {
            add_acls(client, opts);
        } else if (opts.remove) {
            remove_acls(client, opts);
        } else {
            list_acls(client, opts);
        }
    } catch (const CommandError& e) {
        std::cout << "Error while executing ACL command: " << e.message << "\n";
        return 1;
    }
    return 0;
}

}  // namespace samsa::admin
