// samsa-admin configs --bootstrap-server: through a broker, with the requests Kafka 2.8's
// kafka-configs.sh sends for users (KIP-554): AlterUserScramCredentials to the controller
// (the client salts and hashes the password; the password itself never leaves this process),
// DescribeUserScramCredentials to any broker.

#include "auth/scram_formatter.h"
#include "broker/protocol/error_code.h"
#include "broker/protocol/generated/alter_user_scram_credentials_request.h"
#include "broker/protocol/generated/alter_user_scram_credentials_response.h"
#include "broker/protocol/generated/describe_user_scram_credentials_request.h"
#include "broker/protocol/generated/describe_user_scram_credentials_response.h"
#include "tools/admin/admin_connection.h"
#include "tools/admin/configs_options.h"

#include <cstdio>

namespace samsa::tools {

namespace {

constexpr int kSaltBytes = 24;

std::vector<uint8_t> to_bytes(const std::string& s) {
    return {s.begin(), s.end()};
}

std::string error_text(int16_t code, const std::optional<std::string>& message) {
    std::string text(protocol::error_name(static_cast<protocol::ErrorCode>(code)));
    return message ? text + ": " + *message : text;
}

}  // namespace

int alter_users_with_broker(const ConfigsOptions& o) {
    const ClientSecurity security = read_client_security(o.command_config);
    auto channel = open_controller_channel(o.bootstrap_server, security);
    protocol::AlterUserScramCredentialsRequestData request;
    for (const auto m : o.deletions) {
        auto& d = request.deletions.emplace_back();
        d.name = *o.entity_name;
        d.mechanism = static_cast<int8_t>(m);
    }
    for (const auto& [m, add] : o.additions) {
        auto& u = request.upsertions.emplace_back();
        const std::string salt = auth::random_bytes(kSaltBytes);
        u.name = *o.entity_name;
        u.mechanism = static_cast<int8_t>(m);
        u.iterations = add.iterations;
        u.salt = to_bytes(salt);
        u.salted_password = to_bytes(auth::scram_hi(m, add.password, salt, add.iterations));
    }
    auto response = channel->send<protocol::AlterUserScramCredentialsResponseData>(request, 0);
    if (!response) {
        std::fprintf(stderr, "Error: AlterUserScramCredentials failed: %s\n",
                     response.error().message().c_str());
        return 1;
    }
    int status = 0;
    for (const auto& r : response.value().results) {
        if (r.error_code != 0) {
            std::fprintf(stderr, "Error: user %s: %s\n", r.user.c_str(),
                         error_text(r.error_code, r.error_message).c_str());
            status = 1;
        }
    }
    if (status == 0) {
        std::printf("Completed updating config for user %s.\n", o.entity_name->c_str());
    }
    return status;
}

int describe_users_with_broker(const ConfigsOptions& o) {
    const ClientSecurity security = read_client_security(o.command_config);
    auto channel = open_channel(o.bootstrap_server, security);
    protocol::DescribeUserScramCredentialsRequestData request;
    if (o.entity_name) {
        request.users.emplace().emplace_back().name = *o.entity_name;
    } else {
        request.users.reset();  // null: every user
    }
    auto response = channel->send<protocol::DescribeUserScramCredentialsResponseData>(request, 0);
    if (!response) {
        std::fprintf(stderr, "Error: DescribeUserScramCredentials failed: %s\n",
                     response.error().message().c_str());
        return 1;
    }
    if (response.value().error_code != 0) {
        std::fprintf(
            stderr, "Error: %s\n",
            error_text(response.value().error_code, response.value().error_message).c_str());
        return 1;
    }
    for (const auto& r : response.value().results) {
        if (r.error_code == static_cast<int16_t>(protocol::ErrorCode::resource_not_found)) {
            continue;  // no credential: nothing to show, as kafka-configs.sh
        }
        if (r.error_code != 0) {
            std::fprintf(stderr, "Error: user %s: %s\n", r.user.c_str(),
                         error_text(r.error_code, r.error_message).c_str());
            return 1;
        }
        std::string infos;
        for (const auto& info : r.credential_infos) {
            auto m = auth::scram_mechanism_from_type(info.mechanism);
            infos += (infos.empty() ? "" : ", ") +
                     std::string(m ? auth::mechanism_name(*m) : "UNKNOWN") +
                     "=iterations=" + std::to_string(info.iterations);
        }
        std::printf("SCRAM credential configs for user-principal '%s' are %s\n", r.user.c_str(),
                    infos.c_str());
    }
    return 0;
}

}  // namespace samsa::tools
