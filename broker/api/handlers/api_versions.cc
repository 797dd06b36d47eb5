// ApiVersions: the ranges of every API this broker serves (the table in kafka_apis.cc).

#include "broker/api/handlers/handlers.h"
#include "broker/api/kafka_apis.h"
#include "broker/protocol/error_code.h"
#include "broker/protocol/generated/api_versions_request.h"
#include "broker/protocol/generated/api_versions_response.h"

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

}  // namespace

HandlerResult handle_api_versions(RequestContext& ctx, protocol::Reader& body) {
    protocol::ApiVersionsRequestData request;
    request.decode(body, ctx.api_version);
    co_return ctx.respond(make_response(protocol::ErrorCode::none));
}

net::HandlerOutcome unsupported_api_versions_response(const RequestContext& ctx) {
    net::HandlerOutcome out;
    out.response.emplace();
    protocol::Writer& w = *out.response;
    ctx.begin_response(w);  // ApiVersions responses always use header v0
    make_response(protocol::ErrorCode::unsupported_version).encode(w, 0);
    RequestContext::finish_response(w);
    return out;
}

}  // namespace samsa::api
