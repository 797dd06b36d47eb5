// ApiVersions: the ranges of every API this broker serves (the table in kafka_apis.cc).

#include "broker/api/handlers/handlers.h"
#include "broker/api/kafka_apis.h"
#include "broker/protocol/error_code.h"
#include "broker/protocol/generated/api_versions_request.h"
#include "broker/protocol/generated/api_versions_response.h"

#include <algorithm>
#include <string>

namespace samsa::api {

namespace {

protocol::ApiVersionsResponseData make_response(protocol::ErrorCode error) {
    protocol::ApiVersionsResponseData response;
    response.error_code = static_cast<int16_t>(error);
    for (const auto& api : supported_apis()) {
        protocol::ApiVersionsResponseData::ApiVersion v;
        v.api_key = static_cast<int16_t>(api.key);
        v.min_version = api.min_version;
        v.max_version = api.max_version;
        response.api_keys.push_back(v);
    }
    return response;
}

// KIP-511: client software names and versions must match [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?
bool valid_software_field(const std::string& s) {
    auto alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    if (s.empty() || !alnum(s.front()) || !alnum(s.back())) {
        return false;
    }
    return std::all_of(s.begin(), s.end(),
                       [&](char c) { return alnum(c) || c == '-' || c == '.'; });
}

}  // namespace

HandlerResult handle_api_versions(RequestContext& ctx, protocol::Reader& body) {
    protocol::ApiVersionsRequestData request;
    request.decode(body, ctx.api_version);
    if (ctx.api_version >= 3 && (!valid_software_field(request.client_software_name) ||
                                 !valid_software_field(request.client_software_version))) {
        co_return ctx.respond(make_response(protocol::ErrorCode::invalid_request));
    }
    co_return ctx.respond(make_response(protocol::ErrorCode::none));
}

net::HandlerOutcome unsupported_api_versions_response(const RequestContext& ctx) {
    // As Kafka's ApiVersionsRequest.getErrorResponse: only ApiVersions' own range, which is all
    // the client needs to retry at a version we share.
    auto response = make_response(protocol::ErrorCode::unsupported_version);
    std::erase_if(response.api_keys, [](const auto& k) {
        return k.api_key != static_cast<int16_t>(protocol::ApiKey::api_versions);
    });
    net::HandlerOutcome out;
    out.response.emplace();
    protocol::Writer& w = *out.response;
    ctx.begin_response(w);  // ApiVersions responses always use header v0
    response.encode(w, 0);
    RequestContext::finish_response(w);
    return out;
}

}  // namespace samsa::api
