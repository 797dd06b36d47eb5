#pragma once
// The ACL APIs' wire fields (Kafka's int8 codes and nullable strings) as auth's ACL model, with
// the validation Kafka's CreateAclsRequest/DescribeAclsRequest/DeleteAclsRequest and
// KafkaApis.handleCreateAcls apply. A field Kafka would reject makes the conversion fail with
// the error message to answer (INVALID_REQUEST).

#include "auth/acl.h"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace samsa::api {

struct AclCreationFields {
    int8_t resource_type = 0;
    const std::string* resource_name = nullptr;
    int8_t pattern_type = 3;
    const std::string* principal = nullptr;
    const std::string* host = nullptr;
    int8_t operation = 0;
    int8_t permission = 0;
};

struct AclFilterFields {
    int8_t resource_type = 0;
    const std::optional<std::string>* resource_name = nullptr;
    int8_t pattern_type = 3;
    const std::optional<std::string>* principal = nullptr;
    const std::optional<std::string>* host = nullptr;
    int8_t operation = 0;
    int8_t permission = 0;
};

// A binding to create, or why it cannot be (the message of INVALID_REQUEST).
std::variant<auth::AclBinding, std::string> to_acl_binding(const AclCreationFields& f);
std::variant<auth::AclBindingFilter, std::string> to_acl_filter(const AclFilterFields& f);

// Resource pattern codes of the response side.
int8_t pattern_type_code(auth::PatternType p);
int8_t permission_code(auth::AclPermissionType p);

}  // namespace samsa::api
