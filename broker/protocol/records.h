#pragma once
// Records: the payload of a `records` field (Produce and Fetch), which holds RecordBatches
// back to back without interpreting them.
//
// Two representations, because the hot paths want zero copies:
//  - in memory: a span into a buffer kept alive by `owner` (a decoded Produce request points
//    straight into its request frame; nothing is copied until the log writes it);
//  - file slices: byte ranges of segment files (a Fetch response built from the log). The
//    connection sends them with sendfile on plaintext sockets and reads them on TLS ones.
// A Records is also either null (-1 length on the wire) or not.

#include "common/file_handle.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

namespace samsa::protocol {

struct FileSlice {
    std::shared_ptr<const FileHandle> file;
    int64_t position = 0;
    int32_t size = 0;
};

class Records {
  public:
    // An empty, non-null Records.
    Records() = default;

    static Records null() {
        Records r;
        r.null_ = true;
        return r;
    }
    // Borrows `bytes`; `owner` keeps the memory alive for as long as any copy of this Records.
    static Records from_bytes(std::span<const uint8_t> bytes, std::shared_ptr<const void> owner) {
        Records r;
        r.bytes_ = bytes;
        r.owner_ = std::move(owner);
        return r;
    }
    // Owns a copy of `bytes`.
    static Records copy_of(std::span<const uint8_t> bytes) {
        auto buf = std::make_shared<std::vector<uint8_t>>(bytes.begin(), bytes.end());
        return from_bytes(std::span<const uint8_t>(*buf), buf);
    }
    static Records from_files(std::vector<FileSlice> slices) {
        Records r;
        r.slices_ = std::move(slices);
        return r;
    }

    bool is_null() const { return null_; }
    bool in_memory() const { return slices_.empty(); }
    // Wire size of the payload (without the length prefix).
    int64_t size_bytes() const {
        if (in_memory()) {
            return static_cast<int64_t>(bytes_.size());
        }
        int64_t n = 0;
        for (const auto& s : slices_) {
            n += s.size;
        }
        return n;
    }
    // Valid only when in_memory().
    std::span<const uint8_t> bytes() const { return bytes_; }
    // Writable view of in-memory bytes. The broker owns the request frame a Produce request
    // was decoded from, and patches base offsets and leader epochs in place before appending.
    std::span<uint8_t> mutable_bytes() const {
        return {const_cast<uint8_t*>(bytes_.data()), bytes_.size()};
    }
    const std::vector<FileSlice>& slices() const { return slices_; }

    // The payload as one contiguous buffer, reading file slices with pread. Used where sendfile
    // cannot be (TLS, tests, the broker's own clients). Returns false on a short read.
    bool materialize(std::vector<uint8_t>& out) const;

    // Equal when both are null, or both hold the same bytes however they are stored. File
    // slices are read to compare, so this is for tests and checks, not for hot paths.
    bool operator==(const Records& other) const {
        if (null_ || other.null_) {
            return null_ == other.null_;
        }
        if (in_memory() && other.in_memory()) {
            return bytes_.size() == other.bytes_.size() &&
                   (bytes_.empty() ||
                    std::memcmp(bytes_.data(), other.bytes_.data(), bytes_.size()) == 0);
        }
        std::vector<uint8_t> mine;
        std::vector<uint8_t> theirs;
        return materialize(mine) && other.materialize(theirs) && mine == theirs;
    }

  private:
    bool null_ = false;
    std::span<const uint8_t> bytes_;
    std::shared_ptr<const void> owner_;
    std::vector<FileSlice> slices_;
};

}  // namespace samsa::protocol
