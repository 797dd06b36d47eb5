#include "auth/acl_json.h"

#include <boost/json.hpp>

namespace samsa::auth {

namespace json = boost::json;

namespace {

std::error_code bad_message() {
    return std::make_error_code(std::errc::bad_message);
}

const json::string* string_at(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    return v != nullptr ? v->if_string() : nullptr;
}

result<json::object> parse_object(std::string_view data) {
    std::error_code ec;
    json::value v = json::parse(json::string_view(data.data(), data.size()), ec);
    if (ec || !v.is_object()) {
        return bad_message();
    }
    return std::move(v.get_object());
}

result<AclEntry> decode_entry(const json::value& v) {
    const json::object* o = v.if_object();
    if (o == nullptr) {
        return bad_message();
    }
    const json::string* principal = string_at(*o, "principal");
    const json::string* permission = string_at(*o, "permissionType");
    const json::string* operation = string_at(*o, "operation");
    const json::string* host = string_at(*o, "host");
    if (principal == nullptr || permission == nullptr || operation == nullptr || host == nullptr) {
        return bad_message();
    }
    auto perm = parse_permission(*permission);
    auto op = parse_operation(*operation);
    if (!perm || !op) {
        return bad_message();
    }
    return AclEntry{std::string(*principal), std::string(*host), *op, *perm};
}

}  // namespace

std::string encode_acls(const std::set<AclEntry>& acls) {
    json::array entries;
    for (const auto& e : acls) {
        entries.push_back(json::object{{"principal", e.principal},
                                       {"permissionType", permission_name(e.permission)},
                                       {"operation", operation_name(e.operation)},
                                       {"host", e.host}});
    }
    return json::serialize(json::object{{"version", 1}, {"acls", std::move(entries)}});
}

result<std::set<AclEntry>> decode_acls(std::string_view data) {
    std::set<AclEntry> out;
    if (data.empty()) {
        return out;  // Kafka reads a node without data as no ACLs
    }
    SAMSA_TRY(auto o, parse_object(data));
    const json::value* acls = o.if_contains("acls");
    if (acls == nullptr || !acls->is_array()) {
        return bad_message();
    }
    for (const json::value& v : acls->get_array()) {
        SAMSA_TRY(auto entry, decode_entry(v));
        out.insert(std::move(entry));
    }
    return out;
}

std::string encode_acl_change(const ResourcePattern& p) {
    if (p.pattern_type == PatternType::literal) {
        return std::string(resource_type_enum_name(p.resource_type)) + ":" + p.name;
    }
    return json::serialize(json::object{{"version", 1},
                                        {"resourceType", resource_type_enum_name(p.resource_type)},
                                        {"name", p.name},
                                        {"patternType", pattern_type_enum_name(p.pattern_type)}});
}

result<ResourcePattern> decode_literal_acl_change(std::string_view data) {
    const auto colon = data.find(':');
    if (colon == std::string_view::npos) {
        return bad_message();
    }
    auto type = parse_resource_type(data.substr(0, colon));
    if (!type) {
        return bad_message();
    }
    return ResourcePattern{*type, std::string(data.substr(colon + 1)), PatternType::literal};
}

result<ResourcePattern> decode_extended_acl_change(std::string_view data) {
    SAMSA_TRY(auto o, parse_object(data));
    const json::string* type = string_at(o, "resourceType");
    const json::string* name = string_at(o, "name");
    const json::string* pattern = string_at(o, "patternType");
    if (type == nullptr || name == nullptr || pattern == nullptr) {
        return bad_message();
    }
    auto t = parse_resource_type(*type);
    auto p = parse_pattern_type(*pattern);
    if (!t || !p || (*p != PatternType::literal && *p != PatternType::prefixed)) {
        return bad_message();
    }
    return ResourcePattern{*t, std::string(*name), *p};
}

}  // namespace samsa::auth
