#pragma once
// The ACL znodes' contents (Kafka's AclEntry.toJsonCompatibleMap / fromBytes and the two
// change stores of ZkAclChangeStore.scala), ZK-MODE §a:
//
//   /kafka-acl/<Type>/<name>, /kafka-acl-extended/prefixed/<Type>/<name>
//       {"version":1,"acls":[{"principal":"User:alice","permissionType":"Allow",
//                             "operation":"Read","host":"*"}]}
//       names PascalCase (ZooKeeper names of acl.h); readers accept any case.
//   /kafka-acl-changes/acl_changes_<seq>           text "TOPIC:orders" (Java enum name, then
//                                                  the literal resource name after the first ':')
//   /kafka-acl-extended-changes/acl_changes_<seq>  {"version":1,"resourceType":"TOPIC",
//                                                   "name":"ord","patternType":"PREFIXED"}
//
// Decoders return std::errc::bad_message for anything else.

#include "auth/acl.h"
#include "common/result.h"

#include <set>
#include <string>
#include <string_view>

namespace samsa::auth {

std::string encode_acls(const std::set<AclEntry>& acls);
result<std::set<AclEntry>> decode_acls(std::string_view data);

// The change notification for `pattern`: the literal store's text for LITERAL patterns, the
// extended store's JSON for PREFIXED ones.
std::string encode_acl_change(const ResourcePattern& pattern);
result<ResourcePattern> decode_literal_acl_change(std::string_view data);
result<ResourcePattern> decode_extended_acl_change(std::string_view data);

}  // namespace samsa::auth
