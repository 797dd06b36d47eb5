#include "broker/log/abstract_index.h"

#include "broker/log/file_util.h"

#include <cstdio>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace samsa::log {

AbstractIndex::AbstractIndex(std::string path, int64_t base_offset, int32_t entry_size)
    : path_(std::move(path)), base_offset_(base_offset), entry_size_(entry_size) {}

AbstractIndex::~AbstractIndex() {
    unmap();
}

result<void> AbstractIndex::open(int64_t max_index_bytes) {
    SAMSA_TRY(int fd, open_file(path_, O_RDWR | O_CREAT));
    FileHandle file(fd, path_);
    SAMSA_TRY(int64_t size, file_size(fd, path_));
    open_ = true;
    entries_ = static_cast<int32_t>(size / entry_size_);
    if (size == 0) {
        return resize(max_index_bytes);  // new: preallocate for appends
    }
    // Existing: map what is there (a torn tail entry is dropped). The loader resizes the
    // active segment's indexes and rebuilds any that fail their sanity check.
    return resize(size);
}

result<void> AbstractIndex::open_read_only() {
    SAMSA_TRY(int fd, open_file(path_, O_RDONLY));
    FileHandle file(fd, path_);
    SAMSA_TRY(int64_t size, file_size(fd, path_));
    entries_ = static_cast<int32_t>(size / entry_size_);
    max_entries_ = entries_;
    // open_ stays false: close() must not trim and nothing flushes a read-only index.
    return map(fd, int64_t{entries_} * entry_size_, PROT_READ);
}

result<void> AbstractIndex::resize(int64_t max_index_bytes) {
    int64_t length = max_index_bytes / entry_size_ * entry_size_;
    SAMSA_TRY(int fd, open_file(path_, O_RDWR));
    FileHandle file(fd, path_);  // closed on return: the mapping does not need it
    unmap();
    if (::ftruncate(fd, static_cast<off_t>(length)) != 0) {
        return io_error("ftruncate", path_);
    }
    max_entries_ = static_cast<int32_t>(length / entry_size_);
    entries_ = std::min(entries_, max_entries_);
    return map(fd, length, PROT_READ | PROT_WRITE);
}

result<std::shared_ptr<const FileHandle>> AbstractIndex::open_for_flush() const {
    if (!open_) {
        return std::shared_ptr<const FileHandle>();
    }
    SAMSA_TRY(int fd, open_file(path_, O_RDONLY));
    return std::make_shared<const FileHandle>(fd, path_);
}

result<void> AbstractIndex::map(int fd, int64_t length, int prot) {
    if (length == 0) {
        return success();  // mmap refuses empty mappings; an empty index needs none
    }
    void* p = ::mmap(nullptr, static_cast<size_t>(length), prot, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        return io_error("mmap", path_);
    }
    // Lookups are binary searches: each probe touches one page. Without this hint a fault on
    // a cold index reads ahead the device's read_ahead_kb (8 MiB on this machine's disk) around
    // it, and on a preallocated index, whose tail is a hole, zero-fills all of it: loading
    // 10,000 logs after an unclean shutdown spent 86% of its time in that memset.
    (void)::madvise(p, static_cast<size_t>(length), MADV_RANDOM);
    map_ = static_cast<uint8_t*>(p);
    map_length_ = length;
    return success();
}

void AbstractIndex::unmap() {
    if (map_ != nullptr) {
        ::munmap(map_, static_cast<size_t>(map_length_));
        map_ = nullptr;
        map_length_ = 0;
    }
}

result<void> AbstractIndex::rename_to(const std::string& path) {
    if (::rename(path_.c_str(), path.c_str()) != 0) {
        return io_error("rename to " + path, path_);
    }
    path_ = path;
    return success();
}

result<void> AbstractIndex::close() {
    if (!open_) {
        return success();
    }
    auto trimmed = trim();
    unmap();
    open_ = false;
    return trimmed;
}

result<void> AbstractIndex::delete_file() {
    unmap();
    entries_ = 0;
    max_entries_ = 0;
    open_ = false;
    if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
        return io_error("unlink", path_);
    }
    return success();
}

}  // namespace samsa::log
