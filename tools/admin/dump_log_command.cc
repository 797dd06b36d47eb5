// `samsa-admin dump-log`: Kafka 2.8's kafka-dump-log.sh (DumpLogSegments) on Samsa's segment
// files, offline: .log files batch by batch (and record by record with --deep-iteration or
// --print-data-log), .index and .timeindex files entry by entry, each entry checked against
// the log it indexes. The files are read through the broker's own FileRecords, OffsetIndex
// and TimeIndex, opened read-only, and the batches decoded (and decompressed) by
// broker/protocol; the lines are dump_log_format.cc's.

#include "broker/log/file_records.h"
#include "broker/log/offset_index.h"
#include "broker/log/time_index.h"
#include "broker/protocol/compression.h"
#include "tools/admin/admin_commands.h"
#include "tools/admin/dump_log_format.h"
#include "tools/admin/option_checks.h"
#include "tools/admin/tool_support.h"

#include <boost/program_options.hpp>

#include <charconv>
#include <filesystem>
#include <iostream>
#include <optional>

namespace samsa::admin {

namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using dump_log::DumpErrors;

struct Options {
    std::vector<std::string> files;
    bool print_data_log = false;
    bool deep_iteration = false;
    bool verify_only = false;
    bool index_sanity_only = false;
    int32_t max_message_size = 5 * 1024 * 1024;
};

po::options_description describe_options() {
    po::options_description d("Options");
    // clang-format off
    d.add_options()
        ("deep-iteration", "if set, uses deep instead of shallow iteration. Automatically set "
                           "if print-data-log is enabled.")
        ("files", po::value<std::string>()->value_name("file1, file2, ..."),
         "REQUIRED: The comma separated list of data and index log files to be dumped.")
        ("help", "Print usage information.")
        ("index-sanity-check", "if set, just checks the index sanity without printing its "
                               "content. This is the same check that is executed on broker "
                               "startup to determine if an index needs rebuilding or not.")
        ("max-message-size", po::value<int32_t>()->value_name("Integer"),
         "Size of largest message. (default: 5242880)")
        ("print-data-log", "if set, printing the messages content when dumping data logs. "
                           "Automatically set if any decoder option is specified.")
        ("verify-index-only", "if set, just verify the index log without printing its content.");
    // clang-format on
    return d;
}

int parse(const tools::Args& args, Options& o) {
    const po::options_description d = describe_options();
    const CommandLine command_line{
        d, [&](std::ostream& os) {
            os << "This tool helps to parse a log file and dump its contents to the console, "
                  "useful for debugging a seemingly corrupt log segment.\n"
               << d << "\n";
        }};
    return parse_command_line(args, command_line, [&](const po::variables_map& vm) {
        require_args(vm, {"files"});
        std::string list = vm["files"].as<std::string>();
        for (size_t start = 0;;) {
            size_t comma = list.find(',', start);
            o.files.push_back(list.substr(start, comma - start));
            if (comma == std::string::npos) {
                break;
            }
            start = comma + 1;
        }
        o.print_data_log = vm.count("print-data-log") > 0;
        o.deep_iteration = vm.count("deep-iteration") > 0 || o.print_data_log;
        o.verify_only = vm.count("verify-index-only") > 0;
        o.index_sanity_only = vm.count("index-sanity-check") > 0;
        if (vm.count("max-message-size")) {
            o.max_message_size = vm["max-message-size"].as<int32_t>();
        }
    });
}

template <typename T>
T check(result<T> r, const std::string& what) {
    if (!r) {
        throw ToolError{what + ": " + r.error().message()};
    }
    return std::move(r).value();
}

// The segment's base offset: the file name up to its first dot (Kafka splits on ".").
int64_t base_offset_of(const fs::path& file) {
    const std::string name = file.filename().string();
    const std::string digits = name.substr(0, name.find('.'));
    int64_t offset = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), offset);
    if (ec != std::errc() || end != digits.data() + digits.size()) {
        throw ToolError{"For input string: \"" + digits + "\""};
    }
    return offset;
}

// The segment's file with another suffix, next to `file`.
std::string sibling(const fs::path& file, const char* suffix) {
    const std::string name = file.filename().string();
    return (fs::absolute(file).parent_path() / (name.substr(0, name.find('.')) + suffix)).string();
}

// A missing file is reported as Java reports it (FileNotFoundException's message), before the
// broker's open logs an I/O error of its own.
void require_file(const std::string& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
        throw ToolError{path + " (No such file or directory)"};
    }
}

std::unique_ptr<log::FileRecords> open_log(const std::string& path) {
    require_file(path);
    return check(log::FileRecords::open_read_only(path), path);
}

std::unique_ptr<log::OffsetIndex> open_offset_index(const std::string& path, int64_t base) {
    require_file(path);
    return check(log::OffsetIndex::open_read_only(path, base), path);
}

// Where the batches of `records` start, from `position` on, as far as they are complete.
std::vector<log::BatchPosition> batch_positions(const log::FileRecords& records, int32_t position) {
    std::vector<log::BatchPosition> out;
    check(records.scan_headers(position,
                               [&](const log::BatchPosition& b) {
                                   out.push_back(b);
                                   return true;
                               }),
          records.path());
    return out;
}

// The first complete batch at `position`, if it fits in `max_size` bytes.
std::optional<log::BatchPosition> first_batch(const log::FileRecords& records, int32_t position,
                                              int32_t max_size) {
    std::optional<log::BatchPosition> first;
    check(records.scan_headers(position,
                               [&](const log::BatchPosition& b) {
                                   first = b;
                                   return false;
                               }),
          records.path());
    if (first && first->size > max_size) {
        return std::nullopt;
    }
    return first;
}

std::vector<uint8_t> read_batch(const log::FileRecords& records, const log::BatchPosition& b) {
    return check(records.read(b.position, b.size), records.path());
}

// Visits the records of a batch, decompressing it if needed.
template <typename Visit>
void for_each_record(const protocol::RecordBatchView& batch, const std::string& file, Visit visit) {
    auto ok = protocol::for_each_record(batch, visit);
    if (!ok) {
        throw ToolError{"Record batch at offset " + std::to_string(batch.base_offset()) + " of " +
                        file + " cannot be decompressed: " + ok.error().message()};
    }
    if (!ok.value()) {
        std::cerr << "Record batch at offset " << batch.base_offset() << " of " << file
                  << " has malformed records\n";
    }
}

// dumpLog: every batch, and with deep iteration every record, whose offsets must follow
// each other.
void dump_segment_log(const fs::path& file, const Options& o, DumpErrors& errors) {
    std::cout << "Starting offset: " << base_offset_of(file) << "\n";
    const auto records = open_log(file.string());
    const std::string absolute = fs::absolute(file).string();
    int64_t valid_bytes = 0;
    int64_t last_offset = -1;
    for (const auto& b : batch_positions(*records, 0)) {
        const std::vector<uint8_t> bytes = read_batch(*records, b);
        const protocol::RecordBatchView batch(bytes);
        std::cout << dump_log::format_batch(batch, valid_bytes) << "\n";
        if (o.deep_iteration) {
            for_each_record(batch, absolute, [&](const protocol::Record& r) {
                const int64_t offset = batch.base_offset() + r.offset_delta;
                if (last_offset != -1 && offset != last_offset + 1) {
                    DumpErrors::add(errors.non_consecutive, absolute, last_offset, offset);
                }
                last_offset = offset;
                std::cout << dump_log::format_record(batch, r, o.print_data_log) << "\n";
            });
        }
        valid_bytes += b.size;
    }
    const int64_t trailing = records->size() - valid_bytes;
    if (trailing > 0) {
        std::cout << "Found " << trailing << " invalid bytes at the end of "
                  << file.filename().string() << "\n";
    }
}

// OffsetIndex.sanityCheck and TimeIndex.sanityCheck, with Kafka's CorruptIndexException texts.
void offset_index_sanity_check(const log::OffsetIndex& index, int64_t file_bytes) {
    const std::string path = fs::absolute(index.path()).string();
    const int64_t last = index.last_offset();
    if (index.entries() != 0 && last < index.base_offset()) {
        throw ToolError{"Corrupt index found, index file (" + path +
                        ") has non-zero size but the last offset is " + std::to_string(last) +
                        " which is less than the base offset " +
                        std::to_string(index.base_offset()) + "."};
    }
    if (file_bytes % log::OffsetIndex::kEntrySize != 0) {
        throw ToolError{"Index file " + path + " is corrupt, found " + std::to_string(file_bytes) +
                        " bytes which is neither positive nor a multiple of 8."};
    }
}

void time_index_sanity_check(const log::TimeIndex& index, int64_t file_bytes) {
    const std::string path = fs::absolute(index.path()).string();
    const log::TimestampOffset last = index.last_entry();
    if (index.entries() != 0 && last.timestamp < index.entry_at(0).timestamp) {
        throw ToolError{"Corrupt time index found, time index file (" + path +
                        ") has non-zero size but the last timestamp is " +
                        std::to_string(last.timestamp) +
                        " which is less than the first timestamp " +
                        std::to_string(index.entry_at(0).timestamp)};
    }
    if (index.entries() != 0 && last.offset < index.base_offset()) {
        throw ToolError{"Corrupt time index found, time index file (" + path +
                        ") has non-zero size but the last offset is " +
                        std::to_string(last.offset) + " which is less than the first offset " +
                        std::to_string(index.base_offset())};
    }
    if (file_bytes % log::TimeIndex::kEntrySize != 0) {
        throw ToolError{"Time index file " + path + " is corrupt, found " +
                        std::to_string(file_bytes) +
                        " bytes which is neither positive nor a multiple of 12."};
    }
}

int64_t file_bytes(const fs::path& file) {
    std::error_code ec;
    const auto n = fs::file_size(file, ec);
    if (ec) {
        throw ToolError{file.string() + " (" + ec.message() + ")"};
    }
    return static_cast<int64_t>(n);
}

// dumpIndex: each entry must point at a batch whose last offset is the entry's offset.
void dump_index(const fs::path& file, const Options& o, DumpErrors& errors) {
    const int64_t base = base_offset_of(file);
    const auto records = open_log(sibling(file, ".log"));
    const int64_t bytes = file_bytes(file);
    const auto index = open_offset_index(file.string(), base);
    if (index->entries() == 0) {
        std::cout << file.string() << " is empty.\n";
        return;
    }
    if (o.index_sanity_only) {
        offset_index_sanity_check(*index, bytes);
        std::cout << file.string() << " passed sanity check.\n";
        return;
    }
    const std::string absolute = fs::absolute(file).string();
    for (int32_t i = 0; i < index->entries(); ++i) {
        const log::OffsetPosition entry = index->entry_at(i);
        // A preallocated (or crashed) index ends in zero entries: stop at the first one.
        if (entry.offset == base && i > 0) {
            return;
        }
        const auto batch = first_batch(*records, entry.position, o.max_message_size);
        if (!batch) {
            throw ToolError{"No complete batch of at most " + std::to_string(o.max_message_size) +
                            " bytes at position " + std::to_string(entry.position) + " of " +
                            records->path() + " (java.util.NoSuchElementException)"};
        }
        if (batch->last_offset != entry.offset) {
            DumpErrors::add(errors.index_mismatches, absolute, entry.offset, batch->last_offset);
        }
        if (!o.verify_only) {
            std::cout << dump_log::format_index_entry(entry.offset, entry.position) << "\n";
        }
    }
}

// The largest record timestamp of a batch (each record's, decompressing if needed).
int64_t max_record_timestamp(const protocol::RecordBatchView& batch, const std::string& file) {
    int64_t max = -1;
    for_each_record(batch, file, [&](const protocol::Record& r) {
        const int64_t ts = batch.timestamp_type() == protocol::TimestampType::log_append_time
                               ? batch.max_timestamp()
                               : batch.base_timestamp() + r.timestamp_delta;
        max = std::max(max, ts);
    });
    return max;
}

// Checks one time index entry against the batch it names (found through the offset index).
void verify_time_entry(const log::FileRecords& records, const log::OffsetIndex& index,
                       const log::TimestampOffset& entry, int64_t previous_timestamp,
                       const std::string& file, DumpErrors& errors) {
    std::optional<log::BatchPosition> found;
    check(records.scan_headers(index.lookup(entry.offset).position,
                               [&](const log::BatchPosition& b) {
                                   if (b.last_offset >= entry.offset) {
                                       found = b;
                                       return false;
                                   }
                                   return true;
                               }),
          records.path());
    if (!found || found->last_offset != entry.offset) {
        DumpErrors::add(errors.offsets_not_found, file, entry.offset,
                        found ? found->last_offset : -1);
        return;
    }
    const std::vector<uint8_t> bytes = read_batch(records, *found);
    const int64_t max_timestamp = max_record_timestamp(protocol::RecordBatchView(bytes), file);
    if (max_timestamp != entry.timestamp) {
        DumpErrors::add(errors.time_mismatches, file, entry.timestamp, max_timestamp);
    }
    if (previous_timestamp >= entry.timestamp) {
        DumpErrors::add(errors.out_of_order_timestamps, file, entry.timestamp, previous_timestamp);
    }
}

// dumpTimeIndex: each entry must name a batch's last offset and that batch's max timestamp,
// and the timestamps must increase.
void dump_time_index(const fs::path& file, const Options& o, DumpErrors& errors) {
    const int64_t base = base_offset_of(file);
    const auto records = open_log(sibling(file, ".log"));
    const std::string index_path = sibling(file, ".index");
    const auto index = open_offset_index(index_path, base);
    require_file(file.string());
    const int64_t bytes = file_bytes(file);
    const auto time_index =
        check(log::TimeIndex::open_read_only(file.string(), base), file.string());
    if (o.index_sanity_only) {
        time_index_sanity_check(*time_index, bytes);
        std::cout << file.string() << " passed sanity check.\n";
        return;
    }
    const std::string absolute = fs::absolute(file).string();
    int64_t previous_timestamp = -1;
    for (int32_t i = 0; i < time_index->entries(); ++i) {
        const log::TimestampOffset entry = time_index->entry_at(i);
        if (entry.offset == base && i > 0) {
            return;
        }
        verify_time_entry(*records, *index, entry, previous_timestamp, absolute, errors);
        if (!o.verify_only) {
            std::cout << dump_log::format_time_index_entry(entry.timestamp, entry.offset) << "\n";
        }
        previous_timestamp = entry.timestamp;
    }
}

void dump_file(const std::string& arg, const Options& o, DumpErrors& errors) {
    const fs::path file(arg);
    std::cout << "Dumping " << arg << "\n";
    const std::string name = file.filename().string();
    const size_t dot = name.rfind('.');
    const std::string suffix = dot == std::string::npos ? "" : name.substr(dot);
    if (suffix == ".log") {
        dump_segment_log(file, o, errors);
    } else if (suffix == ".index") {
        dump_index(file, o, errors);
    } else if (suffix == ".timeindex") {
        dump_time_index(file, o, errors);
    } else {
        std::cerr << "Ignoring unknown file " << arg << "\n";
    }
}

}  // namespace

int run_dump_log(const tools::Args& args) {
    Options o;
    if (int rc = parse(args, o); rc >= 0) {
        return rc;
    }
    DumpErrors errors;
    try {
        for (const auto& file : o.files) {
            dump_file(file, o, errors);
        }
    } catch (const ToolError& e) {
        std::cout.flush();
        std::cerr << "Error: " << e.message << "\n";
        return 1;
    }
    std::cout.flush();
    std::cerr << dump_log::format_errors(errors);
    return 0;
}

}  // namespace samsa::admin
