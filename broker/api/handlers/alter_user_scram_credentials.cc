// AlterUserScramCredentials 0 (KIP-554; Kafka 2.8's ZkAdminManager.alterUserScramCredentials).
// Served by the active controller only (NOT_CONTROLLER elsewhere). Each upsertion carries the
// salt and the salted password; the broker derives StoredKey and ServerKey, rewrites
// /config/users/<sanitized user> and then writes a users/<user> change notification, which
// every broker's DynamicConfigManager applies to its credential cache.
//
// Per user, the first problem wins and nothing of that user is written: an empty name or too
// few/many iterations (4096..16384) is UNACCEPTABLE_CREDENTIAL, an unknown mechanism
// UNSUPPORTED_SASL_MECHANISM, the same user+mechanism twice DUPLICATE_RESOURCE, deleting a
// credential that does not exist RESOURCE_NOT_FOUND.

#include "auth/sanitizer.h"
#include "auth/scram_credential.h"
#include "broker/api/errors.h"
#include "broker/api/handlers/handlers.h"
#include "broker/controller/kafka_controller.h"
#include "broker/net/run_on.h"
#include "broker/protocol/generated/alter_user_scram_credentials_request.h"
#include "broker/protocol/generated/alter_user_scram_credentials_response.h"
#include "common/logging.h"
#include "zk/kafka_zk_client.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

namespace samsa::api {

namespace {

using protocol::ErrorCode;
using Request = protocol::AlterUserScramCredentialsRequestData;
using Upsertion = Request::ScramCredentialUpsertion;

auto& logger() {
    static auto l = get_logger("api");
    return *l;
}

struct UserOutcome {
    ErrorCode error = ErrorCode::none;
    std::string message;
};

struct UserChanges {
    std::vector<auth::ScramMechanism> deletions;
    std::vector<std::pair<auth::ScramMechanism, const Upsertion*>> upsertions;
    UserOutcome outcome;
};

void reject(UserChanges& u, ErrorCode error, std::string message) {
    if (u.outcome.error == ErrorCode::none) {
        u.outcome = {error, std::move(message)};
    }
}

// Groups the request by user, in order of first appearance, and validates what can be
// validated without ZooKeeper.
std::vector<std::pair<std::string, UserChanges>> group_by_user(const Request& request) {
    std::vector<std::pair<std::string, UserChanges>> users;
    std::set<std::pair<std::string, int8_t>> seen;
    auto entry = [&](const std::string& name) -> UserChanges& {
        auto it = std::find_if(users.begin(), users.end(),
                               [&](const auto& u) { return u.first == name; });
        return it != users.end() ? it->second : users.emplace_back(name, UserChanges{}).second;
    };
    auto check_common = [&](UserChanges& u, const std::string& name, int8_t type) {
        if (name.empty()) {
            reject(u, ErrorCode::unacceptable_credential, "Username must not be empty");
        }
        if (!auth::scram_mechanism_from_type(type)) {
            reject(u, ErrorCode::unsupported_sasl_mechanism, "Unknown SCRAM mechanism");
        }
        if (!seen.emplace(name, type).second) {
            reject(u, ErrorCode::duplicate_resource,
                   "A user credential cannot be altered twice in the same request");
        }
    };
    for (const auto& d : request.deletions) {
        UserChanges& u = entry(d.name);
        check_common(u, d.name, d.mechanism);
        if (auto m = auth::scram_mechanism_from_type(d.mechanism)) {
            u.deletions.push_back(*m);
        }
    }
    for (const auto& up : request.upsertions) {
        UserChanges& u = entry(up.name);
        check_common(u, up.name, up.mechanism);
        if (up.iterations < auth::kScramMinIterations) {
            reject(u, ErrorCode::unacceptable_credential, "Too few iterations");
        } else if (up.iterations > auth::kScramMaxIterations) {
            reject(u, ErrorCode::unacceptable_credential, "Too many iterations");
        }
        if (auto m = auth::scram_mechanism_from_type(up.mechanism)) {
            u.upsertions.emplace_back(*m, &up);
        }
    }
    return users;
}

// On the I/O pool: read the user's config, apply the changes, write it and the notification.
void apply_on_io_pool(zk::KafkaZkClient& zk, const std::string& user, UserChanges& u) {
    const std::string sanitized = auth::sanitize(user);
    auto config = zk.get_entity_configs(zk::kConfigTypeUser, sanitized);
    if (!config) {
        u.outcome = {ErrorCode::unknown_server_error, config.error().message()};
        return;
    }
    zk::ConfigMap updated = config.value();
    for (const auto m : u.deletions) {
        if (updated.erase(std::string(auth::mechanism_name(m))) == 0) {
            u.outcome = {ErrorCode::resource_not_found,
                         "Attempt to delete a user credential that does not exist"};
            return;
        }
    }
    for (const auto& [m, up] : u.upsertions) {
        const std::string salt(up->salt.begin(), up->salt.end());
        const std::string salted(up->salted_password.begin(), up->salted_password.end());
        updated[std::string(auth::mechanism_name(m))] = auth::format_scram_credential(
            auth::scram_credential_from_salted(m, salt, salted, up->iterations));
    }
    if (auto w = zk.change_entity_configs(zk::kConfigTypeUser, sanitized, updated); !w) {
        u.outcome = {ErrorCode::unknown_server_error, w.error().message()};
        return;
    }
    logger().info("altered SCRAM credentials of user {}: {} deleted, {} set", user,
                  u.deletions.size(), u.upsertions.size());
}

}  // namespace

HandlerResult handle_alter_user_scram_credentials(RequestContext& ctx, protocol::Reader& body) {
    Request request;
    request.decode(body, ctx.api_version);
    auto users = group_by_user(request);
    const bool is_controller = ctx.broker.controller->is_active();
    if (is_controller && ctx.broker.zk != nullptr) {
        co_await net::run_on(ctx.broker.io_pool, [&] {
            for (auto& [name, u] : users) {
                if (u.outcome.error == ErrorCode::none) {
                    apply_on_io_pool(*ctx.broker.zk, name, u);
                }
            }
        });
    }
    protocol::AlterUserScramCredentialsResponseData response;
    for (const auto& [name, u] : users) {
        auto& r = response.results.emplace_back();
        r.user = name;
        const UserOutcome outcome =
            is_controller ? u.outcome : UserOutcome{ErrorCode::not_controller, {}};
        r.error_code = code(outcome.error);
        if (outcome.error != ErrorCode::none) {
            r.error_message = outcome.message.empty() ? std::optional<std::string>()
                                                      : std::optional(outcome.message);
        }
    }
    co_return ctx.respond(response);
}

}  // namespace samsa::api
