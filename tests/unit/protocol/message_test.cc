// Behaviour of the generated codecs that round trips do not show: nulls where a version
// forbids them, records borrowed from the request frame, records sent from files.

#include "broker/protocol/generated/delete_topics_response.h"
#include "broker/protocol/generated/fetch_response.h"
#include "broker/protocol/generated/metadata_request.h"
#include "broker/protocol/generated/produce_request.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fcntl.h>
#include <memory>
#include <stdexcept>
#include <unistd.h>
#include <vector>

namespace samsa::protocol {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(MessageTest, NullIsRejectedWhereTheVersionCannotCarryIt) {
    MetadataRequestData all_topics;
    all_topics.topics.reset();  // null topics = all topics, from v1 on
    Writer w1;
    EXPECT_NO_THROW(all_topics.encode(w1, 1));
    Writer w0;
    EXPECT_THROW(all_topics.encode(w0, 0), std::logic_error);

    DeleteTopicsResponseData resp;
    resp.responses.emplace_back().name.reset();
    Writer w6;
    EXPECT_NO_THROW(resp.encode(w6, 6));
    Writer w5;
    EXPECT_THROW(resp.encode(w5, 5), std::logic_error);
}

TEST(MessageTest, NullOnTheWireIsRejectedWhereTheVersionForbidsIt) {
    const Bytes null_array = {0xff, 0xff, 0xff, 0xff};
    MetadataRequestData m;
    Reader v0(null_array);
    EXPECT_THROW(m.decode(v0, 0), DecodeError);
    Reader v1(null_array);
    m.decode(v1, 1);
    EXPECT_FALSE(m.topics.has_value());
}

TEST(MessageTest, DecodeResetsFieldsTheVersionLacks) {
    ProduceRequestData m;
    m.transactional_id = "txn";
    const Bytes v2_body = {0x00, 0x01, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x00};
    Reader r(v2_body);
    m.decode(r, 2);
    EXPECT_EQ(m.transactional_id, std::nullopt);
    EXPECT_EQ(m.acks, 1);
    EXPECT_EQ(m.timeout_ms, 1000);
}

ProduceRequestData one_partition_produce(const Bytes& batch) {
    ProduceRequestData m;
    m.acks = -1;
    m.timeout_ms = 30000;
    auto& topic = m.topic_data.emplace_back();
    topic.name = "orders";
    auto& part = topic.partition_data.emplace_back();
    part.index = 3;
    part.records = Records::copy_of(batch);
    return m;
}

TEST(MessageTest, ProduceRecordsBorrowFromTheFrame) {
    const Bytes batch = {1, 2, 3, 4, 5, 6, 7, 8};
    for (int16_t v : {3, 9}) {
        Writer w;
        one_partition_produce(batch).encode(w, v);
        auto frame = std::make_shared<Bytes>(w.buffer());
        Reader r(*frame, frame);
        ProduceRequestData decoded;
        decoded.decode(r, v);
        const Records& records = decoded.topic_data.at(0).partition_data.at(0).records;
        ASSERT_TRUE(records.in_memory());
        EXPECT_GE(records.bytes().data(), frame->data());
        EXPECT_LE(records.bytes().data() + records.bytes().size(), frame->data() + frame->size());
        EXPECT_EQ(Bytes(records.bytes().begin(), records.bytes().end()), batch);
    }
}

class TempFile {
  public:
    explicit TempFile(const Bytes& content) {
        char path[] = "/tmp/samsa_protocol_testXXXXXX";
        int fd = ::mkstemp(path);
        EXPECT_GE(fd, 0);
        ::unlink(path);
        EXPECT_EQ(::write(fd, content.data(), content.size()),
                  static_cast<ssize_t>(content.size()));
        handle_ = std::make_shared<FileHandle>(fd, path);
    }
    std::shared_ptr<const FileHandle> handle() const { return handle_; }

  private:
    std::shared_ptr<FileHandle> handle_;
};

TEST(MessageTest, FetchRecordsFromFilesBecomeSplices) {
    const Bytes segment = {9, 9, 10, 11, 12, 13, 14, 15, 9, 9};
    TempFile file(segment);
    FetchResponseData resp;
    auto& part = resp.responses.emplace_back().partition_responses.emplace_back();
    part.high_watermark = 42;
    part.record_set = Records::from_files({FileSlice{file.handle(), 2, 6}});

    for (int16_t v : {4, 11, 12}) {
        SCOPED_TRACE(v);
        Writer w;
        resp.encode(w, v);
        ASSERT_EQ(w.splices().size(), 1u);
        EXPECT_EQ(w.total_size(), static_cast<int64_t>(w.buffer().size()) + 6);

        // What the connection would send: the buffer with the file bytes at the splice point.
        Bytes wire(w.buffer().begin(), w.buffer().begin() + w.splices()[0].at);
        wire.insert(wire.end(), segment.begin() + 2, segment.begin() + 8);
        wire.insert(wire.end(), w.buffer().begin() + w.splices()[0].at, w.buffer().end());

        Reader r(wire);
        FetchResponseData decoded;
        decoded.decode(r, v);
        EXPECT_EQ(r.remaining(), 0u);
        EXPECT_TRUE(decoded == resp);  // Records compare file bytes with in-memory bytes
    }
}

}  // namespace
}  // namespace samsa::protocol
