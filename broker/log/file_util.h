#pragma once
// Small POSIX helpers for the log: whole-buffer reads and writes, fsync, and the
// write-temp/fsync/rename dance that every checkpoint uses. Failures are logged here with the
// path and errno, and returned as Errc::storage_error (Kafka's KAFKA_STORAGE_ERROR).

#include "common/result.h"

#include <boost/outcome/try.hpp>

#include <cstdint>
#include <span>
#include <string>

namespace samsa::log {

// Logs `what` on `path` with the current errno and returns Errc::storage_error.
std::error_code io_error(const std::string& what, const std::string& path);

result<int> open_file(const std::string& path, int flags, int mode = 0644);
result<void> pwrite_fully(int fd, std::span<const uint8_t> data, int64_t position,
                          const std::string& path);
// Reads up to data.size() bytes; returns fewer only at end of file.
// Like pread_fully, but only from the page cache (preadv2 RWF_NOWAIT): Errc::would_block if
// any of the bytes would have to come from the disk.
result<size_t> pread_cached(int fd, std::span<uint8_t> data, int64_t position,
                            const std::string& path);
// Reads [position, position + size) through the page cache and drops the bytes: what is read
// next (a sendfile of that range) then finds it there. For the I/O pool.
result<void> load_into_page_cache(int fd, int64_t position, int64_t size, const std::string& path);
result<size_t> pread_fully(int fd, std::span<uint8_t> data, int64_t position,
                           const std::string& path);
result<void> fsync_fd(int fd, const std::string& path);
result<void> fsync_dir(const std::string& dir);
result<int64_t> file_size(int fd, const std::string& path);

// Writes `content` to `path` + ".tmp", fsyncs it, renames it over `path`, fsyncs the dir.
result<void> atomic_write_file(const std::string& path, std::string_view content);
// The same without either fsync: readers see the old or the new content, never a mix, but a
// crash may leave the file empty or missing. Only for files whose loss is repaired from
// elsewhere (partition.metadata's topic id comes again with the next LeaderAndIsr).
result<void> replace_file_unsynced(const std::string& path, std::string_view content);
// The whole file; Errc::storage_error if it cannot be read (check existence first).
result<std::string> read_whole_file(const std::string& path);

// "00000000000000368769" + suffix: Kafka's 20-digit base-offset file names.
std::string offset_file_name(int64_t offset, const std::string& suffix);

}  // namespace samsa::log
