// Golden bytes assembled by hand from the protocol rules, as real clients put them on the wire:
// librdkafka's first request (ApiVersions v3, header v2), kafka-python's Metadata v0 probe, and
// a follower's OffsetForLeaderEpoch.

#include "broker/protocol/generated/api_table.h"
#include "broker/protocol/generated/api_versions_request.h"
#include "broker/protocol/generated/api_versions_response.h"
#include "broker/protocol/generated/fetch_request.h"
#include "broker/protocol/generated/metadata_request.h"
#include "broker/protocol/generated/offset_for_leader_epoch_request.h"
#include "broker/protocol/generated/offset_for_leader_epoch_response.h"
#include "broker/protocol/generated/request_header.h"
#include "broker/protocol/generated/response_header.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

namespace samsa::protocol {
namespace {

using Bytes = std::vector<uint8_t>;

void append(Bytes& out, std::string_view s) {
    out.insert(out.end(), s.begin(), s.end());
}

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
    const Bytes expected = {0x00, 0x00, 0x00, 0x01,  // correlation id, no tags
                            0x00, 0x00,              // error code
                            0x03,                    // compact array of 2
                            0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x12,
                            0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,  // throttle time
                            0x00};  // no tagged fields
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

TEST(GoldenTest, FollowerOffsetForLeaderEpochV3Request) {
    Bytes body = {0x00, 0x00, 0x00, 0x02,  // replica id 2
                  0x00, 0x00, 0x00, 0x01,  // one topic
                  0x00, 0x06};
    append(body, "orders");
    body.insert(body.end(), {0x00, 0x00, 0x00, 0x01,    // one partition
                             0x00, 0x00, 0x00, 0x03,    // partition 3
                             0x00, 0x00, 0x00, 0x07,    // current leader epoch 7
                             0x00, 0x00, 0x00, 0x05});  // leader epoch 5

    Reader r(body);
    OffsetForLeaderEpochRequestData request;
    request.decode(r, 3);
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_EQ(request.replica_id, 2);
    ASSERT_EQ(request.topics.size(), 1u);
    EXPECT_EQ(request.topics[0].topic, "orders");
    ASSERT_EQ(request.topics[0].partitions.size(), 1u);
    const auto& p = request.topics[0].partitions[0];
    EXPECT_EQ(p.partition, 3);
    EXPECT_EQ(p.current_leader_epoch, 7);
    EXPECT_EQ(p.leader_epoch, 5);

    // v0-1 carry neither the replica id nor the fencing epoch, which keep their defaults.
    Writer w;
    request.encode(w, 1);
    Reader r1(w.buffer());
    OffsetForLeaderEpochRequestData old;
    old.decode(r1, 1);
    EXPECT_EQ(old.replica_id, -2);
    EXPECT_EQ(old.topics[0].partitions[0].current_leader_epoch, -1);
    EXPECT_EQ(w.buffer().size(), body.size() - 8);
}

TEST(GoldenTest, OffsetForLeaderEpochResponseV0HasNoEpochAndV4IsCompact) {
    OffsetForLeaderEpochResponseData response;
    response.throttle_time_ms = 0;
    auto& topic = response.topics.emplace_back();
    topic.topic = "t";
    auto& p = topic.partitions.emplace_back();
    p.partition = 1;
    p.leader_epoch = 4;
    p.end_offset = 10;

    Writer v0;
    response.encode(v0, 0);
    const Bytes expected_v0 = {0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 't',          // one topic "t"
                               0x00, 0x00, 0x00, 0x01,                           // one partition
                               0x00, 0x00,                                       // error code
                               0x00, 0x00, 0x00, 0x01,                           // partition 1
                               0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a};  // end offset
    EXPECT_EQ(v0.buffer(), expected_v0);

    Writer v4;
    response.encode(v4, 4);
    const Bytes expected_v4 = {0x00, 0x00, 0x00, 0x00,  // throttle time
                               0x02, 0x02, 't',         // compact array of 1, compact "t"
                               0x02,                    // compact array of 1
                               0x00, 0x00,              // error code
                               0x00, 0x00, 0x00, 0x01,  // partition 1
                               0x00, 0x00, 0x00, 0x04,  // leader epoch 4
                               0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a,  // end offset
                               0x00,   // partition's tagged fields
                               0x00,   // topic's tagged fields
                               0x00};  // body's tagged fields
    EXPECT_EQ(v4.buffer(), expected_v4);
}

}  // namespace
}  // namespace samsa::protocol
