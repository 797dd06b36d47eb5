// DescribeUserScramCredentials 0 (KIP-554; Kafka 2.8's ZkAdminManager
// .describeUserScramCredentials): for each user, the mechanisms and iteration counts of its
// SCRAM credentials, read from /config/users (never a salt or key). Any broker answers. No
// user list (null or empty) means every user that has a credential; a named user without one
// is RESOURCE_NOT_FOUND, a user named twice DUPLICATE_RESOURCE.

#include "auth/sanitizer.h"
#include "auth/scram_credential.h"
#include "broker/api/errors.h"
#include "broker/api/handlers/handlers.h"
#include "broker/net/run_on.h"
#include "broker/protocol/generated/describe_user_scram_credentials_request.h"
#include "broker/protocol/generated/describe_user_scram_credentials_response.h"
#include "zk/kafka_zk_client.h"

#include <map>
#include <set>

namespace samsa::api {

namespace {

using protocol::ErrorCode;
using Response = protocol::DescribeUserScramCredentialsResponseData;
using Result = Response::DescribeUserScramCredentialsResult;

// One user's credential infos from its config; empty if it has none.
std::vector<Response::CredentialInfo> infos_of(const zk::ConfigMap& config) {
    std::vector<Response::CredentialInfo> out;
    for (const auto m : auth::kScramMechanisms) {
        auto it = config.find(std::string(auth::mechanism_name(m)));
        if (it == config.end()) {
            continue;
        }
        if (auto c = auth::parse_scram_credential(it->second)) {
            auto& info = out.emplace_back();
            info.mechanism = static_cast<int8_t>(m);
            info.iterations = c->iterations;
        }
    }
    return out;
}

// On the I/O pool.
void describe_on_io_pool(zk::KafkaZkClient& zk, const std::vector<std::string>& named,
                         Response& response) {
    std::vector<std::string> users = named;
    const bool all = named.empty();
    if (all) {
        auto sanitized = zk.get_all_entities(zk::kConfigTypeUser);
        if (!sanitized) {
            response.error_code = code(ErrorCode::unknown_server_error);
            response.error_message = sanitized.error().message();
            return;
        }
        for (const auto& s : sanitized.value()) {
            if (auto u = auth::desanitize(s)) {
                users.push_back(*u);
            }
        }
    }
    std::map<std::string, int> count;
    for (const auto& u : users) {
        ++count[u];
    }
    std::set<std::string> answered;
    for (const auto& user : users) {
        if (!answered.insert(user).second) {
            continue;  // a duplicate is reported once
        }
        Result r;
        r.user = user;
        if (count[user] > 1) {
            r.error_code = code(ErrorCode::duplicate_resource);
            r.error_message =
                "Cannot describe SCRAM credentials for the same user twice in a "
                "single request";
            response.results.push_back(std::move(r));
            continue;
        }
        auto config = zk.get_entity_configs(zk::kConfigTypeUser, auth::sanitize(user));
        if (!config) {
            r.error_code = code(ErrorCode::unknown_server_error);
            r.error_message = config.error().message();
        } else {
            r.credential_infos = infos_of(config.value());
            if (r.credential_infos.empty()) {
                if (all) {
                    continue;  // quotas only: not a SCRAM user
                }
                r.error_code = code(ErrorCode::resource_not_found);
                r.error_message = "Attempt to describe a user credential that does not exist";
            }
        }
        response.results.push_back(std::move(r));
    }
}

}  // namespace

HandlerResult handle_describe_user_scram_credentials(RequestContext& ctx, protocol::Reader& body) {
    protocol::DescribeUserScramCredentialsRequestData request;
    request.decode(body, ctx.api_version);
    std::vector<std::string> named;
    if (request.users) {
        for (const auto& u : *request.users) {
            named.push_back(u.name);
        }
    }
    Response response;
    if (ctx.broker.zk == nullptr) {
        response.error_code = code(ErrorCode::unknown_server_error);
        co_return ctx.respond(response);
    }
    co_await net::run_on(ctx.broker.io_pool,
                         [&] { describe_on_io_pool(*ctx.broker.zk, named, response); });
    co_return ctx.respond(response);
}

}  // namespace samsa::api
