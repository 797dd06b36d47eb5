// Golden bytes assembled by hand from the protocol rules, as real clients put them on the wire:
// librdkafka's first request (ApiVersions v3, header v2) and kafka-python's Metadata v0 probe.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "broker/protocol/generated/api_table.h"
#include "broker/protocol/generated/api_versions_request.h"
#include "broker/protocol/generated/api_versions_response.h"
#include "broker/protocol/generated/fetch_request.h"
#include "broker/protocol/generated/metadata_request.h"
#include "broker/protocol/generated/request_header.h"
#include "broker/protocol/generated/response_header.h"

namespace samsa::protocol {
namespace {

using Bytes = std::vector<uint8_t>;

void append(Bytes& out, std::string_view s) { out.insert(out.end(), s.begin(), s.end()); }

TEST(GoldenTest, LibrdkafkaApiVersionsV3Request) {
    Bytes frame = {0x00, 0x12,              // api key 18
                   0x00, 0x03,              // api version 3
                   0x00, 0x00, 0x00, 0x01,  // correlation id
                   0x00, 0x07};             // client id: int16 length even in header v2
    append(frame, "rdkafka");
    frame.push_back(0x00);  // header tagged fields: none
    frame.push_back(0x0b);  // compact string, length 10 + 1
    append(frame, "librdkafka");
    frame.push_back(0x06);  // compact string, length 5 + 1
    append(frame, "2.0.2");
    frame.push_back(0x00);  // body tagged fields: none

    Reader r(frame);
    RequestHeaderData header;
    header.decode(r, 2);
    EXPECT_EQ(header.request_api_key, 18);
    EXPECT_EQ(header.request_api_version, 3);
    EXPECT_EQ(header.correlation_id, 1);
    EXPECT_EQ(header.client_id, "rdkafka");
    ASSERT_EQ(request_header_version(ApiKey::api_versions, header.request_api_version), 2);

    ApiVersionsRequestData body;
    body.decode(r, header.request_api_version);
    EXPECT_EQ(body.client_software_name, "librdkafka");
    EXPECT_EQ(body.client_software_version, "2.0.2");
    EXPECT_EQ(r.remaining(), 0u);

    Writer w;
    header.encode(w, 2);
    body.encode(w, 3);
    EXPECT_EQ(w.buffer(), frame);
}

TEST(GoldenTest, KafkaPythonMetadataV0Request) {
    Bytes frame = {0x00, 0x03,              // api key 3
                   0x00, 0x00,              // api version 0
                   0x00, 0x00, 0x00, 0x02,  // correlation id
                   0x00, 0x0c};
    append(frame, "kafka-python");
    frame.insert(frame.end(), {0x00, 0x00, 0x00, 0x02,  // two topics
                               0x00, 0x06});
    append(frame, "orders");
    frame.insert(frame.end(), {0x00, 0x03});
    append(frame, "ops");

    Reader r(frame);
    RequestHeaderData header;
    header.decode(r, request_header_version(ApiKey::metadata, 0));
    EXPECT_EQ(header.request_api_key, 3);
    EXPECT_EQ(header.client_id, "kafka-python");
    MetadataRequestData body;
    body.decode(r, 0);
    EXPECT_EQ(r.remaining(), 0u);
    ASSERT_TRUE(body.topics.has_value());
    ASSERT_EQ(body.topics->size(), 2u);
    EXPECT_EQ((*body.topics)[0].name, "orders");
    EXPECT_EQ((*body.topics)[1].name, "ops");
    EXPECT_TRUE(body.allow_auto_topic_creation);  // v4+ field keeps its default
}

TEST(GoldenTest, MetadataV0WithNoTopicsMeansAllTopics) {
    const Bytes body_bytes = {0x00, 0x00, 0x00, 0x00};
    Reader r(body_bytes);
    MetadataRequestData body;
    body.decode(r, 0);
    ASSERT_TRUE(body.topics.has_value());
    EXPECT_TRUE(body.topics->empty());
}

TEST(GoldenTest, ApiVersionsV3ResponseUsesHeaderV0AndCompactBody) {
    ResponseHeaderData header;
    header.correlation_id = 1;
    ApiVersionsResponseData body;
    body.api_keys.push_back({0, 0, 7});
    body.api_keys.push_back({18, 0, 3});
    body.throttle_time_ms = 0;

    Writer w;
    header.encode(w, response_header_version(ApiKey::api_versions, 3));
    body.encode(w, 3);
    const Bytes expected = {0x00, 0x00, 0x00, 0x01,              // correlation id, no tags
                            0x00, 0x00,                          // error code
                            0x03,                                // compact array of 2
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00,
                            0x00, 0x12, 0x00, 0x00, 0x00, 0x03, 0x00,
                            0x00, 0x00, 0x00, 0x00,              // throttle time
                            0x00};                               // no tagged fields
    EXPECT_EQ(w.buffer(), expected);
}

TEST(GoldenTest, ApiVersionsV0ResponseIsClassic) {
    ApiVersionsResponseData body;
    body.error_code = 35;
    body.api_keys.push_back({18, 0, 3});
    body.throttle_time_ms = 99;  // not in v0: not written
    Writer w;
    body.encode(w, 0);
    const Bytes expected = {0x00, 0x23, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12, 0x00, 0x00, 0x00, 0x03};
    EXPECT_EQ(w.buffer(), expected);
}

TEST(GoldenTest, TaggedFieldIsWrittenOnlyWhenNotDefault) {
    FetchRequestData req;
    req.replica_id = -1;
    Writer plain;
    req.encode(plain, 12);
    EXPECT_EQ(plain.buffer().back(), 0x00);  // cluster_id null: no tagged field

    req.cluster_id = "c";
    Writer tagged;
    req.encode(tagged, 12);
    const Bytes tail = {0x01, 0x00, 0x02, 0x02, 'c'};  // 1 field, tag 0, size 2, "c"
    ASSERT_EQ(tagged.buffer().size(), plain.buffer().size() + 4);
    EXPECT_TRUE(std::equal(tail.begin(), tail.end(), tagged.buffer().end() - 5));

    Reader r(tagged.buffer());
    FetchRequestData decoded;
    decoded.decode(r, 12);
    EXPECT_EQ(decoded.cluster_id, "c");
}

}  // namespace
}  // namespace samsa::protocol
