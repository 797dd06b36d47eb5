#pragma once
// KafkaApis: reads a request's header, picks the handler for its API key and version, and
// turns what cannot be served into Kafka's behaviour (Kafka's KafkaApis.handle()).
//
//  - unknown API key, or a version outside what Kafka 2.8 defines for it: the request cannot
//    be parsed, so the connection is closed (Kafka: InvalidRequestException);
//  - ApiVersions at a version we do not serve: a v0 response with UNSUPPORTED_VERSION and our
//    ranges, so the client can retry at a version we share;
//  - versions we advertise but do not implement (old Produce/Fetch): the handler answers with
//    UNSUPPORTED_VERSION in that version's response;
//  - malformed bodies: the connection is closed, other clients are unaffected.
//
// The table of handlers and advertised versions is the single list in kafka_apis.cc; adding
// an API is one handler file plus one line there.

#include "broker/api/request_context.h"
#include "broker/net/request_handler.h"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <span>

namespace samsa::api {

using HandlerFn = boost::asio::awaitable<net::HandlerOutcome> (*)(RequestContext&,
                                                                  protocol::Reader&);

struct ApiHandler {
    protocol::ApiKey key;
    int16_t min_version;  // advertised range (ApiVersions)
    int16_t max_version;
    HandlerFn handle;
};

// Every API this broker serves, in api-key order.
std::span<const ApiHandler> supported_apis();

class KafkaApis final : public net::RequestHandler {
  public:
    explicit KafkaApis(BrokerServices& services) : services_(services) {}

    boost::asio::awaitable<net::HandlerOutcome> handle(auth::Session& session,
                                                       net::Frame frame) override;

  private:
    BrokerServices& services_;
};

}  // namespace samsa::api
