#include "broker/protocol/record_batch.h"

#include "common/crc32c.h"

namespace samsa::protocol {

int64_t load_be64(const uint8_t* p) {
    uint64_t v;
    __builtin_memcpy(&v, p, 8);
    return static_cast<int64_t>(__builtin_bswap64(v));
}
int32_t load_be32(const uint8_t* p) {
    uint32_t v;
    __builtin_memcpy(&v, p, 4);
    return static_cast<int32_t>(__builtin_bswap32(v));
}
int16_t load_be16(const uint8_t* p) {
    uint16_t v;
    __builtin_memcpy(&v, p, 2);
    return static_cast<int16_t>(__builtin_bswap16(v));
}
void store_be64(uint8_t* p, int64_t v) {
    uint64_t be = __builtin_bswap64(static_cast<uint64_t>(v));
    __builtin_memcpy(p, &be, 8);
}
void store_be32(uint8_t* p, int32_t v) {
    uint32_t be = __builtin_bswap32(static_cast<uint32_t>(v));
    __builtin_memcpy(p, &be, 4);
}
void store_be16(uint8_t* p, int16_t v) {
    uint16_t be = __builtin_bswap16(static_cast<uint16_t>(v));
    __builtin_memcpy(p, &be, 2);
}

uint32_t RecordBatchView::compute_crc() const {
    return crc32c(bytes_.subspan(kAttributesOffset,
                                 static_cast<size_t>(size_in_bytes() - kAttributesOffset)));
}

void MutableRecordBatchView::set_max_timestamp(TimestampType type, int64_t ts) {
    if (timestamp_type() == type && max_timestamp() == ts) {
        return;
    }
    int16_t attrs = attributes();
    attrs = type == TimestampType::log_append_time
                ? static_cast<int16_t>(attrs | kTimestampTypeMask)
                : static_cast<int16_t>(attrs & ~kTimestampTypeMask);
    set_attributes(attrs);
    set_max_timestamp_raw(ts);
    update_crc();
}

std::optional<RecordBatchView> RecordBatchIterator::next() {
    if (stop_ != Stop::none) {
        return std::nullopt;
    }
    size_t left = bytes_.size() - pos_;
    if (left == 0) {
        stop_ = Stop::end;
        return std::nullopt;
    }
    if (left < static_cast<size_t>(kLogOverhead)) {
        stop_ = Stop::partial;
        return std::nullopt;
    }
    int32_t length = load_be32(bytes_.data() + pos_ + kBatchLengthOffset);
    if (length < kRecordBatchHeaderSize - kLogOverhead) {
        stop_ = Stop::corrupt;
        return std::nullopt;
    }
    size_t size = static_cast<size_t>(length) + kLogOverhead;
    if (size > left) {
        stop_ = Stop::partial;
        return std::nullopt;
    }
    RecordBatchView batch(bytes_.subspan(pos_, size));
    pos_ += size;
    return batch;
}

namespace {

// Zig-zag LEB128 of at most `max_bytes` bytes; false on overrun or an overlong encoding.
bool read_varlong(std::span<const uint8_t> data, size_t& pos, size_t max_bytes, int64_t& out) {
    uint64_t raw = 0;
    for (size_t i = 0; i < max_bytes; ++i) {
        if (pos >= data.size()) {
            return false;
        }
        uint8_t b = data[pos++];
        raw |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) {
            out = static_cast<int64_t>(raw >> 1) ^ -static_cast<int64_t>(raw & 1);
            return true;
        }
    }
    return false;
}

bool read_varint(std::span<const uint8_t> data, size_t& pos, int32_t& out) {
    int64_t v = 0;
    if (!read_varlong(data, pos, 5, v) || v < INT32_MIN || v > INT32_MAX) {
        return false;
    }
    out = static_cast<int32_t>(v);
    return true;
}

// A length-prefixed byte string (-1 = null) inside `body`.
bool read_nullable(std::span<const uint8_t> body, size_t& pos,
                   std::optional<std::span<const uint8_t>>& out) {
    int32_t len = 0;
    if (!read_varint(body, pos, len) || len < -1) {
        return false;
    }
    if (len == -1) {
        out.reset();
        return true;
    }
    if (static_cast<size_t>(len) > body.size() - pos) {
        return false;
    }
    out = body.subspan(pos, static_cast<size_t>(len));
    pos += static_cast<size_t>(len);
    return true;
}

bool skip_headers(std::span<const uint8_t> body, size_t& pos, int32_t count) {
    for (int32_t i = 0; i < count; ++i) {
        std::optional<std::span<const uint8_t>> key;
        std::optional<std::span<const uint8_t>> value;
        if (!read_nullable(body, pos, key) || !key || !read_nullable(body, pos, value)) {
            return false;  // a header key may not be null
        }
    }
    return true;
}

}  // namespace

bool RecordIterator::next(Record& out) {
    if (malformed_ || pos_ == data_.size()) {
        return false;
    }
    int32_t length = 0;
    if (!read_varint(data_, pos_, length) || length < 0 ||
        static_cast<size_t>(length) > data_.size() - pos_) {
        return fail();
    }
    std::span<const uint8_t> body = data_.subspan(pos_, static_cast<size_t>(length));
    pos_ += static_cast<size_t>(length);

    size_t p = 0;
    if (body.empty()) {
        return fail();
    }
    out.attributes = static_cast<int8_t>(body[p++]);
    if (!read_varlong(body, p, 10, out.timestamp_delta) ||
        !read_varint(body, p, out.offset_delta) || !read_nullable(body, p, out.key) ||
        !read_nullable(body, p, out.value) || !read_varint(body, p, out.header_count) ||
        out.header_count < 0) {
        return fail();
    }
    size_t headers_start = p;
    if (!skip_headers(body, p, out.header_count) || p != body.size()) {
        return fail();  // the record's length must cover exactly its fields
    }
    out.headers = body.subspan(headers_start, p - headers_start);
    return true;
}

}  // namespace samsa::protocol
