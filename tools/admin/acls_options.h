#pragma once
// The command line of `samsa-admin acls` (Kafka's AclCommandOptions) and what it asks for:
// the resource pattern filters it names and the ACLs the --allow/--deny, --operation,
// --producer and --consumer options build for each (AclCommand.getResourceFilterToAcls).

#include "auth/acl.h"
#include "tools/admin/admin_client.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace samsa::admin {

struct AclsOptions {
    std::vector<HostPort> bootstrap_servers;
    std::string command_config;
    bool add = false;
    bool remove = false;
    bool list = false;
    bool force = false;
    bool producer = false;
    bool consumer = false;
    bool idempotent = false;
    bool cluster = false;
    std::vector<std::string> topics;
    std::vector<std::string> groups;
    std::vector<std::string> transactional_ids;
    std::vector<std::string> delegation_tokens;
    auth::PatternType pattern_type = auth::PatternType::literal;
    std::vector<std::string> allow_principals;
    std::vector<std::string> deny_principals;
    std::vector<std::string> allow_hosts;
    std::vector<std::string> deny_hosts;
    std::vector<auth::AclOperation> operations;
    std::vector<std::string> list_principals;  // --principal

    // The resource filters named by --topic, --group, --cluster, ... (getResourceFilter).
    std::vector<auth::ResourcePatternFilter> resource_filters() const;
    // --add/--remove: each filter with the ACLs to add or remove (none: every ACL).
    std::map<auth::ResourcePatternFilter, std::set<auth::AclEntry>> filter_to_acls() const;
    // --add: the same as patterns (the pattern type is LITERAL or PREFIXED there).
    std::map<auth::ResourcePattern, std::set<auth::AclEntry>> resource_to_acls() const;
};

// Fills `opts`. Returns -1 to go on, or the exit status to end with: 0 after --help, 1 after a
// usage error (the message and the usage are printed, as Kafka's printUsageAndDie does).
int parse_acls_options(const std::vector<std::string>& args, AclsOptions& opts);

}  // namespace samsa::admin
