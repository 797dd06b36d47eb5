// KafkaApis dispatch: header parsing and what happens to requests that cannot be served.
// Only ApiVersions is served here, so the broker's other components are not needed.

#include "broker/api/kafka_apis.h"

#include "broker/protocol/generated/api_table.h"
#include "broker/protocol/generated/api_versions_request.h"
#include "broker/protocol/generated/api_versions_response.h"
#include "broker/protocol/generated/controlled_shutdown_request.h"
#include "broker/protocol/generated/controlled_shutdown_response.h"
#include "broker/protocol/generated/request_header.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <future>

namespace samsa::api {
namespace {

namespace asio = boost::asio;
using protocol::ApiVersionsResponseData;

class KafkaApisTest : public ::testing::Test {
  protected:
    net::HandlerOutcome handle(const std::vector<uint8_t>& bytes) {
        auto frame = std::make_shared<net::FrameBuffer>(bytes.size());
        std::copy(bytes.begin(), bytes.end(), frame->data());
        asio::io_context io;
        auto fut = asio::co_spawn(io, apis_.handle(session_, frame), asio::use_future);
        io.run();
        return fut.get();
    }

    static std::vector<uint8_t> request(int16_t key, int16_t version, int32_t correlation_id,
                                        const std::vector<uint8_t>& body = {}) {
        protocol::Writer w;
        w.write_int16(key);
        w.write_int16(version);
        w.write_int32(correlation_id);
        w.write_nullable_string(std::string("test-client"));
        if (version >= 3 && key == 18) {
            w.write_unsigned_varint(0);  // header v2 tagged fields
        }
        w.write_raw(body);
        return w.buffer();
    }

    // Decodes a response frame: size prefix, correlation id (header v0), body.
    static ApiVersionsResponseData decode_api_versions(const protocol::Writer& frame,
                                                       int16_t version, int32_t* correlation) {
        protocol::Reader r(frame.buffer());
        EXPECT_EQ(r.read_int32(), static_cast<int32_t>(frame.buffer().size() - 4));
        *correlation = r.read_int32();
        ApiVersionsResponseData response;
        response.decode(r, version);
        EXPECT_EQ(r.remaining(), 0u);
        return response;
    }

    auth::AllowAllAuthorizer authorizer_;
    BrokerServices services_;
    KafkaApis apis_{services_};
    auth::Session session_;
};

TEST_F(KafkaApisTest, ApiVersionsListsEveryServedApiWithMinVersionZero) {
    protocol::ApiVersionsRequestData body;
    body.client_software_name = "librdkafka";
    body.client_software_version = "2.0.2";
    protocol::Writer b;
    body.encode(b, 3);
    auto out = handle(request(18, 3, 7, b.buffer()));
    ASSERT_TRUE(out.response);
    EXPECT_FALSE(out.close_connection);
    int32_t correlation = 0;
    auto response = decode_api_versions(*out.response, 3, &correlation);
    EXPECT_EQ(correlation, 7);
    EXPECT_EQ(response.error_code, 0);
    ASSERT_EQ(response.api_keys.size(), supported_apis().size());
    for (const auto& k : response.api_keys) {
        EXPECT_EQ(k.min_version, 0) << "api " << k.api_key;
    }
    auto produce = std::find_if(response.api_keys.begin(), response.api_keys.end(),
                                [](const auto& k) { return k.api_key == 0; });
    ASSERT_NE(produce, response.api_keys.end());
    EXPECT_EQ(produce->max_version, 7);
}

TEST_F(KafkaApisTest, ApiVersionsAboveOursAnswersUnsupportedVersionWithAV0Body) {
    auto out = handle(request(18, 99, 11));
    ASSERT_TRUE(out.response);
    int32_t correlation = 0;
    auto response = decode_api_versions(*out.response, 0, &correlation);
    EXPECT_EQ(correlation, 11);
    EXPECT_EQ(response.error_code, 35);
    ASSERT_EQ(response.api_keys.size(), 1u);
    EXPECT_EQ(response.api_keys[0].api_key, 18);
    EXPECT_EQ(response.api_keys[0].min_version, 0);
    EXPECT_EQ(response.api_keys[0].max_version, 3);
}

TEST_F(KafkaApisTest, AVersionAboveTheAdvertisedRangeClosesTheConnection) {
    // Metadata v7 is in the schema (the codec decodes it) but not advertised (0-6): Kafka's
    // SocketServer closes the connection, and so do we.
    EXPECT_TRUE(handle(request(3, 7, 1)).close_connection);
    EXPECT_TRUE(handle(request(3, -1, 2)).close_connection);
}

TEST(SupportedApis, EveryAdvertisedRangeIsOneTheSchemaDefines) {
    for (const auto& api : supported_apis()) {
        const protocol::ApiInfo* info = protocol::find_api(static_cast<int16_t>(api.key));
        ASSERT_NE(info, nullptr) << static_cast<int>(api.key);
        EXPECT_GE(api.min_version, info->lowest_version) << info->name;
        EXPECT_LE(api.max_version, info->highest_version) << info->name;
    }
}

TEST_F(KafkaApisTest, ApiVersionsRejectsAnInvalidClientSoftwareName) {
    protocol::ApiVersionsRequestData body;
    body.client_software_name = "bad name!";
    body.client_software_version = "1.0";
    protocol::Writer b;
    body.encode(b, 3);
    auto out = handle(request(18, 3, 5, b.buffer()));
    ASSERT_TRUE(out.response);
    int32_t correlation = 0;
    EXPECT_EQ(decode_api_versions(*out.response, 3, &correlation).error_code, 42);
}

TEST_F(KafkaApisTest, UnauthenticatedSessionsMayOnlyAskForApiVersions) {
    session_.authenticated = false;
    EXPECT_TRUE(handle(request(3, 1, 1)).close_connection);
    auto out = handle(request(18, 0, 2));
    EXPECT_TRUE(out.response);
    EXPECT_FALSE(out.close_connection);
}

TEST_F(KafkaApisTest, UnknownApiKeyClosesTheConnection) {
    auto out = handle(request(999, 0, 1));
    EXPECT_FALSE(out.response);
    EXPECT_TRUE(out.close_connection);
}

TEST_F(KafkaApisTest, VersionKafkaDoesNotDefineClosesTheConnection) {
    auto out = handle(request(3, 99, 1));
    EXPECT_FALSE(out.response);
    EXPECT_TRUE(out.close_connection);
}

TEST_F(KafkaApisTest, TruncatedHeaderClosesTheConnection) {
    auto out = handle({0, 18, 0});
    EXPECT_TRUE(out.close_connection);
    auto half = request(18, 1, 1);
    half.resize(9);  // client id length cut in half
    EXPECT_TRUE(handle(half).close_connection);
}

TEST_F(KafkaApisTest, MalformedBodyClosesTheConnection) {
    // ApiVersions v3 with a client software name claiming 100 bytes that are not there.
    auto out = handle(request(18, 3, 1, {101, 'a'}));
    EXPECT_FALSE(out.response);
    EXPECT_TRUE(out.close_connection);
}

// ControlledShutdown at each version's layout: v0 under request header v0 (no client id), v1-v2
// under header v1, v3 flexible under header v2 with a v1 response header. A broker with no
// controller (here) answers NOT_CONTROLLER, so the stopping broker asks the real one.
TEST_F(KafkaApisTest, ControlledShutdownAtEveryVersionAnswersNotControllerWithoutAController) {
    services_.authorizer = &authorizer_;
    for (int16_t version = 0; version <= 3; ++version) {
        protocol::Writer w;
        w.write_int16(7);
        w.write_int16(version);
        w.write_int32(40 + version);
        if (version >= 1) {
            w.write_nullable_string(std::string("broker-2"));
        }
        if (version >= 3) {
            w.write_unsigned_varint(0);  // header v2 tagged fields
        }
        protocol::ControlledShutdownRequestData body;
        body.broker_id = 2;
        body.broker_epoch = 77;
        body.encode(w, version);
        auto out = handle(w.buffer());
        ASSERT_TRUE(out.response) << "v" << version;
        EXPECT_FALSE(out.close_connection);

        protocol::Reader r(out.response->buffer());
        EXPECT_EQ(r.read_int32(), static_cast<int32_t>(out.response->buffer().size() - 4));
        EXPECT_EQ(r.read_int32(), 40 + version);
        if (version >= 3) {
            EXPECT_EQ(r.read_unsigned_varint(), 0u);  // response header v1 tagged fields
        }
        protocol::ControlledShutdownResponseData response;
        response.decode(r, version);
        EXPECT_EQ(r.remaining(), 0u) << "v" << version;
        EXPECT_EQ(response.error_code, 41) << "v" << version;
        EXPECT_TRUE(response.remaining_partitions.empty());
    }
}

}  // namespace
}  // namespace samsa::api
