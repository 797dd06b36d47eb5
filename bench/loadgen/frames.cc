#include "bench/loadgen/frames.h"

#include "broker/protocol/generated/api_table.h"
#include "broker/protocol/generated/api_versions_request.h"
#include "broker/protocol/generated/fetch_request.h"
#include "broker/protocol/generated/init_producer_id_request.h"
#include "broker/protocol/generated/list_offsets_request.h"
#include "broker/protocol/generated/produce_request.h"
#include "broker/protocol/generated/request_header.h"
#include "broker/protocol/record_batch.h"
#include "broker/protocol/wire.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace samsa::loadgen {

namespace {

// Larger values go unstamped: bulk writers want bytes on disk, and the CRC a stamp costs on
// every send would take CPU from the broker.
constexpr size_t kMaxStampedValue = 64 * 1024;

bool stamped(int value_size) {
    auto size = static_cast<size_t>(value_size);
    return size >= kStampSize && size <= kMaxStampedValue;
}

template <typename Request>
std::vector<uint8_t> encode_frame(const Request& request, int16_t version,
                                  const std::string& client_id) {
    protocol::Writer w;
    w.write_int32(0);
    protocol::RequestHeaderData header;
    header.request_api_key = static_cast<int16_t>(Request::kApiKey);
    header.request_api_version = version;
    header.client_id = client_id;
    header.encode(w, protocol::request_header_version(Request::kApiKey, version));
    request.encode(w, version);
    w.patch_int32(0, static_cast<int32_t>(w.buffer().size() - 4));
    return std::move(w.buffer());
}

// Where `needle` sits in `frame`, which must hold it exactly once: how a field the codec wrote
// is found again for patching, without knowing the codec's layout.
size_t find_unique(std::span<const uint8_t> frame, std::span<const uint8_t> needle) {
    auto first = std::search(frame.begin(), frame.end(), needle.begin(), needle.end());
    if (first == frame.end() ||
        std::search(first + 1, frame.end(), needle.begin(), needle.end()) != frame.end()) {
        throw std::logic_error("patch marker not found exactly once in an encoded request");
    }
    return static_cast<size_t>(first - frame.begin());
}

// Only the first record of a batch is stamped: one send time per request is all a consumer
// needs, and the patch stays one 8-byte store whatever the batch holds.
std::vector<uint8_t> encode_record(int value_size, int32_t offset_delta) {
    std::vector<uint8_t> value(static_cast<size_t>(value_size), 'x');
    if (offset_delta == 0 && stamped(value_size)) {
        std::copy(kStampMagic.begin(), kStampMagic.end(), value.begin());
    }
    protocol::Writer body;
    body.write_int8(0);     // attributes
    body.write_varlong(0);  // timestamp delta
    body.write_varint(offset_delta);
    body.write_varint(-1);  // key: null
    body.write_varint(value_size);
    body.write_raw(value);
    body.write_varint(0);  // headers
    protocol::Writer record;
    record.write_varint(static_cast<int32_t>(body.buffer().size()));
    record.write_raw(body.buffer());
    return std::move(record.buffer());
}

}  // namespace

std::vector<uint8_t> make_batch(int value_size, int32_t count) {
    std::vector<uint8_t> batch(protocol::kRecordBatchHeaderSize);
    for (int32_t i = 0; i < count; ++i) {
        auto record = encode_record(value_size, i);
        batch.insert(batch.end(), record.begin(), record.end());
    }
    int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    uint8_t* p = batch.data();
    protocol::store_be32(p + protocol::kBatchLengthOffset,
                         static_cast<int32_t>(batch.size()) - protocol::kLogOverhead);
    protocol::store_be32(p + protocol::kPartitionLeaderEpochOffset, -1);
    p[protocol::kMagicOffset] = protocol::kMagicV2;
    protocol::store_be32(p + protocol::kLastOffsetDeltaOffset, count - 1);
    protocol::store_be64(p + protocol::kBaseTimestampOffset, now_ms);
    protocol::store_be64(p + protocol::kMaxTimestampOffset, now_ms);
    protocol::store_be64(p + protocol::kProducerIdOffset, -1);
    protocol::store_be16(p + protocol::kProducerEpochOffset, -1);
    protocol::store_be32(p + protocol::kBaseSequenceOffset, -1);
    protocol::store_be32(p + protocol::kRecordCountOffset, count);
    protocol::MutableRecordBatchView(batch).update_crc();
    return batch;
}

protocol::ProduceRequestData make_produce_request(const std::string& topic, int32_t partition,
                                                  int acks, std::span<const uint8_t> batch) {
    protocol::ProduceRequestData request;
    request.transactional_id = std::nullopt;
    request.acks = static_cast<int16_t>(acks);
    request.timeout_ms = 30000;
    auto& t = request.topic_data.emplace_back();
    t.name = topic;
    t.partition_data.push_back({partition, protocol::Records::copy_of(batch)});
    return request;
}

namespace {

ProduceFrame make_produce_frame(const Options& o, int32_t partition) {
    auto batch = make_batch(o.record_size, o.records_per_request);
    const auto request = make_produce_request(o.topic, partition, o.acks, batch);
    ProduceFrame f;
    f.bytes = encode_frame(request, kProduceVersion, o.client_id);
    f.batch_at = f.bytes.size() - batch.size();  // records: the last field of one partition
    if (stamped(o.record_size)) {
        f.stamp_at = find_unique(f.bytes, kStampMagic) + kStampMagic.size();
    }
    return f;
}

FetchFrame make_fetch_frame(const Options& o, int32_t partition) {
    constexpr int64_t kMarker = 0x5a4c47464f464653;  // an offset no real fetch asks for
    protocol::FetchRequestData request;
    request.replica_id = -1;
    request.max_wait_ms = o.max_wait_ms;
    request.min_bytes = 1;
    request.max_bytes = o.max_bytes;
    request.session_epoch = -1;  // no fetch session (KIP-227): every fetch is a full one
    auto& topic = request.topics.emplace_back();
    topic.topic = o.topic;
    auto& p = topic.partitions.emplace_back();
    p.partition = partition;
    p.fetch_offset = kMarker;
    p.partition_max_bytes = o.max_bytes;
    FetchFrame f;
    f.bytes = encode_frame(request, kFetchVersion, o.client_id);
    std::array<uint8_t, 8> marker{};
    protocol::store_be64(marker.data(), kMarker);
    f.offset_at = find_unique(f.bytes, marker);
    return f;
}

std::vector<uint8_t> make_list_offsets_frame(const Options& o, int32_t partition) {
    protocol::ListOffsetsRequestData request;
    request.replica_id = -1;
    auto& topic = request.topics.emplace_back();
    topic.name = o.topic;
    auto& p = topic.partitions.emplace_back();
    p.partition_index = partition;
    p.timestamp = -1;  // latest
    return encode_frame(request, kListOffsetsVersion, o.client_id);
}

std::vector<uint8_t> make_api_versions_frame(const Options& o) {
    protocol::ApiVersionsRequestData request;
    // Moved-in strings: assigning a literal trips GCC 12's false -Wrestrict (PR 105329).
    request.client_software_name = std::string("samsa-loadgen");
    request.client_software_version = std::string("1");
    return encode_frame(request, kApiVersionsVersion, o.client_id);
}

std::vector<uint8_t> make_init_producer_id_frame(const Options& o) {
    protocol::InitProducerIdRequestData request;
    request.transactional_id = std::nullopt;  // idempotence without transactions
    request.transaction_timeout_ms = 60000;
    return encode_frame(request, kInitProducerIdVersion, o.client_id);
}

// XADD <topic> * v <value> as a RESP array of bulk strings; the value is record_size bytes, as
// a Produce request's record value. With --redis-ping, PING.
std::vector<uint8_t> make_redis_command(const Options& o) {
    std::string value(static_cast<size_t>(o.record_size), 'x');
    std::vector<std::string_view> args = {"XADD", o.topic, "*", "v", value};
    if (o.redis_ping) {
        args = {"PING"};
    }
    std::vector<uint8_t> command;
    auto put = [&command](std::string_view text) {
        command.insert(command.end(), text.begin(), text.end());
    };
    put("*" + std::to_string(args.size()) + "\r\n");
    for (std::string_view arg : args) {
        put("$");
        put(std::to_string(arg.size()));
        put("\r\n");
        put(arg);
        put("\r\n");
    }
    return command;
}

}  // namespace

int32_t increment_sequence(int32_t sequence, int32_t increment) {
    if (sequence > INT32_MAX - increment) {
        return increment - (INT32_MAX - sequence) - 1;
    }
    return sequence + increment;
}

int64_t read_stamp(std::span<const uint8_t> value) {
    if (value.size() < kStampSize ||
        !std::equal(kStampMagic.begin(), kStampMagic.end(), value.begin())) {
        return -1;
    }
    return protocol::load_be64(value.data() + kStampMagic.size());
}

void ProduceFrame::patch(uint8_t* frame, int64_t now_ns, const ProducerFields& producer) const {
    if (stamp_at != 0) {
        protocol::store_be64(frame + stamp_at, now_ns);
    }
    uint8_t* batch = frame + batch_at;
    protocol::store_be64(batch + protocol::kProducerIdOffset, producer.id);
    protocol::store_be16(batch + protocol::kProducerEpochOffset, producer.epoch);
    protocol::store_be32(batch + protocol::kBaseSequenceOffset, producer.base_sequence);
    protocol::MutableRecordBatchView({batch, bytes.size() - batch_at}).update_crc();
}

std::optional<size_t> redis_reply_length(std::span<const uint8_t> in) {
    static constexpr std::array<uint8_t, 2> kCrlf = {'\r', '\n'};
    auto crlf = std::search(in.begin(), in.end(), kCrlf.begin(), kCrlf.end());
    if (crlf == in.end()) {
        return in.size() > 64 ? std::nullopt : std::optional<size_t>(0);
    }
    size_t line = static_cast<size_t>(crlf - in.begin()) + 2;
    switch (in[0]) {
        case '+':
        case '-':
        case ':':
            return line;
        case '$': {
            long len = std::strtol(reinterpret_cast<const char*>(in.data()) + 1, nullptr, 10);
            if (len < 0) {
                return line;  // a null bulk string
            }
            size_t total = line + static_cast<size_t>(len) + 2;
            return in.size() >= total ? total : 0;
        }
        default:
            return std::nullopt;
    }
}

Frames make_frames(const Options& o) {
    Frames f;
    if (o.redis) {
        f.redis_command = make_redis_command(o);
        return f;
    }
    f.api_versions = make_api_versions_frame(o);
    if (o.idempotent) {
        f.init_producer_id = make_init_producer_id_frame(o);
    }
    for (int32_t p = 0; p < o.partitions; ++p) {
        if (o.mode == Mode::produce) {
            f.produce.push_back(make_produce_frame(o, p));
        } else if (o.mode == Mode::fetch) {
            f.fetch.push_back(make_fetch_frame(o, p));
            f.list_offsets.push_back(make_list_offsets_frame(o, p));
        }
    }
    return f;
}

}  // namespace samsa::loadgen
