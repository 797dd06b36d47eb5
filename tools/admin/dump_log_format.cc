#include "tools/admin/dump_log_format.h"

#include "broker/protocol/wire.h"

#include <algorithm>
#include <sstream>

namespace samsa::admin::dump_log {

namespace {

using protocol::RecordBatchView;

std::string as_string(std::span<const uint8_t> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

const char* boolean(bool b) {
    return b ? "true" : "false";
}

// Record.timestamp(): a LogAppendTime batch's records all carry its maxTimestamp.
int64_t record_timestamp(const RecordBatchView& batch, const protocol::Record& r) {
    if (batch.timestamp_type() == protocol::TimestampType::log_append_time) {
        return batch.max_timestamp();
    }
    return batch.base_timestamp() + r.timestamp_delta;
}

// "[k1,k2]": the header keys, which are UTF-8 strings; the values are not printed.
std::string header_keys(const protocol::Record& r) {
    std::string out = "[";
    try {
        protocol::Reader reader(r.headers);
        for (int32_t i = 0; i < r.header_count; ++i) {
            const int32_t key_length = reader.read_varint();
            out += (i == 0 ? "" : ",") +
                   as_string(reader.read_raw(static_cast<size_t>(std::max(key_length, 0))));
            const int32_t value_length = reader.read_varint();
            if (value_length > 0) {
                reader.skip(static_cast<size_t>(value_length));
            }
        }
    } catch (const protocol::DecodeError&) {
        // RecordIterator already checked the headers' bounds; nothing more to print.
    }
    return out + "]";
}

// Kafka's ControlRecordType and EndTransactionMarker: the key is (version int16, type int16),
// an ABORT or COMMIT marker's value is (version int16, coordinatorEpoch int32).
std::string control_marker(const protocol::Record& r) {
    if (!r.key || r.key->size() < 4) {
        return " controlType: UNKNOWN(-1)";
    }
    const int16_t type = protocol::load_be16(r.key->data() + 2);
    if ((type == 0 || type == 1) && r.value && r.value->size() >= 6) {
        return std::string(" endTxnMarker: ") + (type == 0 ? "ABORT" : "COMMIT") +
               " coordinatorEpoch: " + std::to_string(protocol::load_be32(r.value->data() + 2));
    }
    const char* name = type == 2 ? "LEADER_CHANGE" : "UNKNOWN";
    return std::string(" controlType: ") + name + "(" + std::to_string(type) + ")";
}

void print_pairs(std::ostringstream& out, const Pairs& pairs, bool reversed, const char* first,
                 const char* second) {
    auto print = [&](const std::pair<int64_t, int64_t>& p) {
        out << first << p.first << second << p.second << "\n";
    };
    if (reversed) {
        std::for_each(pairs.rbegin(), pairs.rend(), print);
    } else {
        std::for_each(pairs.begin(), pairs.end(), print);
    }
}

}  // namespace

std::string codec_name(protocol::CompressionType codec) {
    switch (codec) {
        case protocol::CompressionType::none:
            return "NONE";
        case protocol::CompressionType::gzip:
            return "GZIP";
        case protocol::CompressionType::snappy:
            return "SNAPPY";
        case protocol::CompressionType::lz4:
            return "LZ4";
        case protocol::CompressionType::zstd:
            return "ZSTD";
    }
    return "UNKNOWN";
}

std::string timestamp_type_name(protocol::TimestampType type) {
    return type == protocol::TimestampType::log_append_time ? "LogAppendTime" : "CreateTime";
}

int32_t increment_sequence(int32_t sequence, int32_t increment) {
    if (sequence > INT32_MAX - increment) {
        return increment - (INT32_MAX - sequence) - 1;
    }
    return sequence + increment;
}

std::string format_batch(const RecordBatchView& batch, int64_t position) {
    const int32_t base_sequence = batch.base_sequence();
    const int32_t last_sequence =
        base_sequence < 0 ? -1 : increment_sequence(base_sequence, batch.last_offset_delta());
    const bool valid =
        batch.size_in_bytes() >= protocol::kRecordBatchHeaderSize && batch.is_valid_crc();
    std::ostringstream out;
    out << "baseOffset: " << batch.base_offset() << " lastOffset: " << batch.last_offset()
        << " count: " << batch.record_count() << " baseSequence: " << base_sequence
        << " lastSequence: " << last_sequence << " producerId: " << batch.producer_id()
        << " producerEpoch: " << batch.producer_epoch()
        << " partitionLeaderEpoch: " << batch.partition_leader_epoch()
        << " isTransactional: " << boolean(batch.is_transactional())
        << " isControl: " << boolean(batch.is_control()) << " position: " << position << " "
        << timestamp_type_name(batch.timestamp_type()) << ": " << batch.max_timestamp()
        << " size: " << batch.size_in_bytes() << " magic: " << int{batch.magic()}
        << " compresscodec: " << codec_name(batch.compression()) << " crc: " << batch.crc()
        << " isvalid: " << boolean(valid);
    return out.str();
}

std::string format_record(const RecordBatchView& batch, const protocol::Record& r,
                          bool print_contents) {
    const int32_t sequence =
        batch.base_sequence() < 0 ? -1 : increment_sequence(batch.base_sequence(), r.offset_delta);
    std::ostringstream out;
    out << "| offset: " << batch.base_offset() + r.offset_delta << " "
        << timestamp_type_name(batch.timestamp_type()) << ": " << record_timestamp(batch, r)
        << " keySize: " << (r.key ? static_cast<int64_t>(r.key->size()) : -1)
        << " valueSize: " << (r.value ? static_cast<int64_t>(r.value->size()) : -1)
        << " sequence: " << sequence << " headerKeys: " << header_keys(r);
    if (batch.is_control()) {
        out << control_marker(r);
    } else if (print_contents) {
        if (r.key) {
            out << " key: " << as_string(*r.key);
        }
        if (r.value) {
            out << " payload: " << as_string(*r.value);
        }
    }
    return out.str();
}

std::string format_index_entry(int64_t offset, int32_t position) {
    return "offset: " + std::to_string(offset) + " position: " + std::to_string(position);
}

std::string format_time_index_entry(int64_t timestamp, int64_t offset) {
    return "timestamp: " + std::to_string(timestamp) + " offset: " + std::to_string(offset);
}

void DumpErrors::add(PerFile& list, const std::string& file, int64_t a, int64_t b) {
    auto it =
        std::find_if(list.begin(), list.end(), [&](const auto& e) { return e.first == file; });
    if (it == list.end()) {
        list.emplace_back(file, Pairs{});
        it = std::prev(list.end());
    }
    it->second.emplace_back(a, b);
}

std::string format_errors(const DumpErrors& e) {
    std::ostringstream out;
    for (const auto& [file, pairs] : e.index_mismatches) {
        out << "Mismatches in :" << file << "\n";
        print_pairs(out, pairs, true, "  Index offset: ", ", log offset: ");
    }
    for (const auto& [file, pairs] : e.time_mismatches) {
        out << "Found timestamp mismatch in :" << file << "\n";
        print_pairs(out, pairs, false, "  Index timestamp: ", ", log timestamp: ");
    }
    for (const auto& [file, pairs] : e.out_of_order_timestamps) {
        out << "Found out of order timestamp in :" << file << "\n";
        print_pairs(out, pairs, false, "  Index timestamp: ", ", Previously indexed timestamp: ");
    }
    for (const auto& [file, pairs] : e.offsets_not_found) {
        out << "The following indexed offsets are not found in the log.\n";
        print_pairs(out, pairs, false, "Indexed offset: ", ", found log offset: ");
    }
    for (const auto& [file, pairs] : e.non_consecutive) {
        out << "Non-consecutive offsets in " << file << "\n";
        print_pairs(out, pairs, true, "  ", " is followed by ");
    }
    return out.str();
}

}  // namespace samsa::admin::dump_log
