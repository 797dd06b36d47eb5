// The coordinator's record formats (Kafka's exact bytes), Java's String.hashCode, and the
// loader's handling of tombstones and malformed records.

#include "broker/group/group_records.h"

#include "broker/group/group_loader.h"
#include "broker/group/group_metadata_manager.h"
#include "broker/protocol/record_batch_builder.h"

#include <gtest/gtest.h>

namespace samsa::group {
namespace {

TEST(GroupRecords, OffsetKeyIsKafkasBytes) {
    auto key = offset_commit_key("g", TopicPartition{"tp", 3});
    // int16 version 1, string "g", string "tp", int32 3.
    const Bytes expected{0, 1, 0, 1, 'g', 0, 2, 't', 'p', 0, 0, 0, 3};
    EXPECT_EQ(key, expected);
    auto decoded = decode_key(key);
    ASSERT_TRUE(decoded);
    auto* k = std::get_if<OffsetKey>(&*decoded);
    ASSERT_NE(k, nullptr);
    EXPECT_EQ(k->group_id, "g");
    EXPECT_EQ(k->tp, (TopicPartition{"tp", 3}));
}

TEST(GroupRecords, OffsetValueVersion3RoundTrips) {
    OffsetAndMetadata o{1234, 5, "hello", 1700000000000, std::nullopt};
    auto value = offset_commit_value(o);
    ASSERT_GE(value.size(), 2u);
    EXPECT_EQ(value[0], 0);
    EXPECT_EQ(value[1], 3);
    // int64 offset, int32 epoch, string, int64 timestamp: 2 + 8 + 4 + 2 + 5 + 8.
    EXPECT_EQ(value.size(), 29u);
    EXPECT_EQ(decode_offset_value(value), o);
}

TEST(GroupRecords, OffsetValueVersion1HasExpiry) {
    // Written by old brokers: offset, metadata, commit timestamp, expire timestamp.
    Bytes v{0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0, 200};
    auto o = decode_offset_value(v);
    ASSERT_TRUE(o);
    EXPECT_EQ(o->offset, 9);
    EXPECT_EQ(o->commit_timestamp_ms, 100);
    EXPECT_EQ(o->expire_timestamp_ms, 200);
}

TEST(GroupRecords, GroupKeyAndValueRoundTrip) {
    auto key = group_metadata_key("group-1");
    EXPECT_EQ(key[1], 2);
    auto decoded = decode_key(key);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(std::get<GroupKey>(*decoded).group_id, "group-1");

    GroupMetadata g("group-1", GroupState::stable, 5000);
    g.generation_id = 4;
    g.protocol_name = "range";
    auto m = std::make_shared<MemberMetadata>("m-1", "inst", "client", "/127.0.0.1", 30000, 10000,
                                              "consumer",
                                              std::vector<ProtocolEntry>{{"range", Bytes{1, 2}}});
    g.add(m);
    auto value = group_metadata_value(g, {{"m-1", Bytes{9}}});
    auto v = decode_group_value(value);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->protocol_type, "consumer");
    EXPECT_EQ(v->generation, 4);
    EXPECT_EQ(v->protocol, "range");
    EXPECT_EQ(v->leader, "m-1");
    EXPECT_EQ(v->current_state_timestamp, 5000);
    ASSERT_EQ(v->members.size(), 1u);
    EXPECT_EQ(v->members[0].group_instance_id, "inst");
    EXPECT_EQ(v->members[0].subscription, (Bytes{1, 2}));
    EXPECT_EQ(v->members[0].assignment, Bytes{9});
    EXPECT_EQ(v->members[0].rebalance_timeout, 30000);

    auto loaded = group_from_value("group-1", *v, 6000);
    EXPECT_TRUE(loaded->is(GroupState::stable));
    EXPECT_EQ(loaded->static_member_id("inst"), "m-1");
    EXPECT_EQ(loaded->get("m-1")->assignment, Bytes{9});
}

TEST(GroupRecords, MalformedAndUnknownAreRejected) {
    EXPECT_FALSE(decode_key(Bytes{0}));
    EXPECT_FALSE(decode_key(Bytes{0, 7, 0, 1}));       // unknown key version
    EXPECT_FALSE(decode_key(Bytes{0, 1, 0, 9, 'x'}));  // string runs past the end
    EXPECT_FALSE(decode_offset_value(Bytes{0, 3, 1}));
    EXPECT_FALSE(decode_group_value(Bytes{0, 9}));
}

TEST(GroupRecords, JavaStringHashCode) {
    EXPECT_EQ(java_string_hash_abs(""), 0);
    EXPECT_EQ(java_string_hash_abs("group"), 98629247);
    EXPECT_EQ(java_string_hash_abs("my-consumer-group"), 1513705513);
    EXPECT_EQ(java_string_hash_abs("\xe2\x82\xac"), 8364);           // U+20AC: one unit
    EXPECT_EQ(java_string_hash_abs("\xf0\x9f\x98\x80x"), 54959989);  // U+1F600: a surrogate pair
    // hashCode -1282814717 is negative: Utils.abs keeps the low 31 bits.
    EXPECT_EQ(java_string_hash_abs("samsa-group-1"), 864668931);
    EXPECT_EQ(java_string_hash_abs("polygenelubricants"), 0);  // hashCode is INT_MIN
}

TEST(GroupLoader, LastRecordWinsAndTombstonesDelete) {
    protocol::RecordBatchBuilder b;
    const TopicPartition tp{"t", 0};
    auto k1 = offset_commit_key("a", tp);
    auto v1 = offset_commit_value(OffsetAndMetadata{1, -1, "", 10, std::nullopt});
    auto v2 = offset_commit_value(OffsetAndMetadata{2, -1, "", 20, std::nullopt});
    auto kb = offset_commit_key("b", tp);
    b.append(0, 10, k1, v1);
    b.append(1, 20, k1, v2);
    b.append(2, 20, kb, v1);
    b.append(3, 30, kb, std::nullopt);  // b's offset deleted
    const Bytes junk{1, 2, 3};
    b.append(4, 30, junk, junk);  // not a coordinator record: skipped
    auto batch = b.build();

    GroupLoader loader;
    loader.add_batches(batch);
    auto groups = loader.finish(100);
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_EQ(groups[0]->group_id(), "a");
    EXPECT_TRUE(groups[0]->is(GroupState::empty));
    EXPECT_EQ(groups[0]->offsets.at(tp).offset, 2);
    EXPECT_EQ(loader.skipped_records(), 1u);
}

}  // namespace
}  // namespace samsa::group
