#include "broker/log/file_records.h"

#include "broker/log/errc.h"
#include "broker/log/file_util.h"
#include "common/logging.h"

#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

namespace samsa::log {

namespace {

// Consumers read a segment (sendfile) right after producers wrote it, so with relatime every
// read would update the file's atime: a journal transaction per fetch, which stalls when the
// journal is busy with a producer's writeback. Nothing reads a segment's atime. O_NOATIME
// needs the file's owner (or CAP_FOWNER); without it, open normally.
result<int> open_segment_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOATIME, 0644);
    if (fd >= 0) {
        return fd;
    }
    return open_file(path, O_RDWR | O_CREAT);
}

}  // namespace

result<std::unique_ptr<FileRecords>> FileRecords::open(const std::string& path) {
    SAMSA_TRY(int fd, open_segment_file(path));
    auto file = std::make_shared<FileHandle>(fd, path);
    SAMSA_TRY(int64_t size, file_size(fd, path));
    if (size > INT32_MAX) {
        get_logger("log")->error("segment {} is {} bytes, more than 2 GiB", path, size);
        return Errc::storage_error;
    }
    return std::unique_ptr<FileRecords>(
        new FileRecords(path, std::move(file), static_cast<int32_t>(size)));
}

result<std::unique_ptr<FileRecords>> FileRecords::open_read_only(const std::string& path) {
    SAMSA_TRY(int fd, open_file(path, O_RDONLY));
    auto file = std::make_shared<FileHandle>(fd, path);
    SAMSA_TRY(int64_t size, file_size(fd, path));
    if (size > INT32_MAX) {
        return Errc::storage_error;
    }
    return std::unique_ptr<FileRecords>(
        new FileRecords(path, std::move(file), static_cast<int32_t>(size)));
}

result<void> FileRecords::append(std::span<const uint8_t> bytes) {
    SAMSA_TRY(pwrite_fully(file_->fd(), bytes, size_, path_));
    size_ += static_cast<int32_t>(bytes.size());
    return success();
}

result<void> FileRecords::flush() const {
    return fsync_fd(file_->fd(), path_);
}

result<void> FileRecords::truncate_to(int32_t size) {
    if (::ftruncate(file_->fd(), size) != 0) {
        return io_error("ftruncate", path_);
    }
    size_ = size;
    return success();
}

result<void> FileRecords::rename_to(const std::string& path) {
    if (::rename(path_.c_str(), path.c_str()) != 0) {
        return io_error("rename to " + path, path_);
    }
    path_ = path;
    return success();
}

result<void> FileRecords::delete_file() {
    if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
        return io_error("unlink", path_);
    }
    return success();
}

result<size_t> FileRecords::read_chunk(int32_t position, std::vector<uint8_t>& buf,
                                       ReadMode mode) const {
    size_t want = static_cast<size_t>(std::min(kScanChunk, size_ - position));
    buf.resize(want);
    return mode == ReadMode::non_blocking ? pread_cached(file_->fd(), buf, position, path_)
                                          : pread_fully(file_->fd(), buf, position, path_);
}

bool FileRecords::is_cached(int64_t position) const {
    uint8_t byte;
    return static_cast<bool>(pread_cached(file_->fd(), std::span(&byte, 1), position, path_));
}

result<std::optional<BatchPosition>> FileRecords::search_for_offset(int64_t target,
                                                                    int32_t start_position,
                                                                    ReadMode mode) const {
    std::optional<BatchPosition> found;
    SAMSA_TRY(scan_headers(
        start_position,
        [&](const BatchPosition& b) {
            if (b.last_offset >= target) {
                found = b;
                return false;
            }
            return true;
        },
        mode));
    return found;
}

result<std::optional<BatchPosition>> FileRecords::search_for_timestamp(
    int64_t target, int32_t start_position) const {
    std::optional<BatchPosition> found;
    SAMSA_TRY(scan_headers(start_position, [&](const BatchPosition& b) {
        if (b.max_timestamp >= target) {
            found = b;
            return false;
        }
        return true;
    }));
    return found;
}

result<std::vector<uint8_t>> FileRecords::read(int32_t position, int32_t size) const {
    std::vector<uint8_t> out(static_cast<size_t>(size));
    SAMSA_TRY(size_t n, pread_fully(file_->fd(), out, position, path_));
    out.resize(n);
    return out;
}

}  // namespace samsa::log
