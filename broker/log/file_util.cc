#include "broker/log/file_util.h"

#include "broker/log/errc.h"
#include "common/file_handle.h"
#include "common/logging.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <vector>

namespace samsa::log {

std::error_code io_error(const std::string& what, const std::string& path) {
    int err = errno;
    get_logger("log")->error("{} {} failed: {}", what, path, std::strerror(err));
    return Errc::storage_error;
}

result<int> open_file(const std::string& path, int flags, int mode) {
    int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
    if (fd < 0) {
        return io_error("open", path);
    }
    return fd;
}

result<void> pwrite_fully(int fd, std::span<const uint8_t> data, int64_t position,
                          const std::string& path) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done,
                             static_cast<off_t>(position + static_cast<int64_t>(done)));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return io_error("pwrite", path);
        }
        done += static_cast<size_t>(n);
    }
    return success();
}

result<size_t> pread_fully(int fd, std::span<uint8_t> data, int64_t position,
                           const std::string& path) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::pread(fd, data.data() + done, data.size() - done,
                            static_cast<off_t>(position + static_cast<int64_t>(done)));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return io_error("pread", path);
        }
        if (n == 0) {
            break;
        }
        done += static_cast<size_t>(n);
    }
    return done;
}

result<size_t> pread_cached(int fd, std::span<uint8_t> data, int64_t position,
                            const std::string& path) {
    size_t done = 0;
    while (done < data.size()) {
        iovec iov{data.data() + done, data.size() - done};
        ssize_t n =
            ::preadv2(fd, &iov, 1, static_cast<off_t>(position + int64_t(done)), RWF_NOWAIT);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EOPNOTSUPP)) {
            return Errc::would_block;  // not cached (or a kernel that cannot tell)
        }
        if (n < 0) {
            return io_error("preadv2", path);
        }
        if (n == 0) {
            break;  // end of file
        }
        done += static_cast<size_t>(n);
    }
    return done;
}

result<void> load_into_page_cache(int fd, int64_t position, int64_t size, const std::string& path) {
    std::vector<uint8_t> scratch(static_cast<size_t>(std::min<int64_t>(size, 1 << 20)));
    for (int64_t at = position; at < position + size;) {
        auto chunk = std::span(scratch).first(
            static_cast<size_t>(std::min<int64_t>(position + size - at, int64_t(scratch.size()))));
        SAMSA_TRY(size_t n, pread_fully(fd, chunk, at, path));
        if (n < chunk.size()) {
            break;  // the file is shorter now (truncated): nothing more to load
        }
        at += static_cast<int64_t>(n);
    }
    return success();
}

result<void> fsync_fd(int fd, const std::string& path) {
    if (::fsync(fd) != 0) {
        return io_error("fsync", path);
    }
    return success();
}

result<void> fsync_dir(const std::string& dir) {
    SAMSA_TRY(int fd, open_file(dir, O_RDONLY | O_DIRECTORY));
    auto r = fsync_fd(fd, dir);
    ::close(fd);
    return r;
}

result<int64_t> file_size(int fd, const std::string& path) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return io_error("fstat", path);
    }
    return static_cast<int64_t>(st.st_size);
}

namespace {

result<void> write_and_rename(const std::string& path, std::string_view content, bool sync) {
    std::string tmp = path + ".tmp";
    SAMSA_TRY(int fd, open_file(tmp, O_WRONLY | O_CREAT | O_TRUNC));
    auto bytes = std::span(reinterpret_cast<const uint8_t*>(content.data()), content.size());
    auto written = pwrite_fully(fd, bytes, 0, tmp);
    auto synced = written && sync ? fsync_fd(fd, tmp) : written;
    ::close(fd);
    if (!synced) {
        return synced.error();
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        return io_error("rename to " + path, tmp);
    }
    return success();
}

}  // namespace

result<void> atomic_write_file(const std::string& path, std::string_view content) {
    SAMSA_TRY(write_and_rename(path, content, /*sync=*/true));
    return fsync_dir(std::filesystem::path(path).parent_path().string());
}

result<void> replace_file_unsynced(const std::string& path, std::string_view content) {
    return write_and_rename(path, content, /*sync=*/false);
}

result<std::string> read_whole_file(const std::string& path) {
    SAMSA_TRY(int fd, open_file(path, O_RDONLY));
    FileHandle file(fd, path);  // closes on every return
    SAMSA_TRY(int64_t size, file_size(fd, path));
    std::string out(static_cast<size_t>(size), '\0');
    SAMSA_TRY(
        size_t n,
        pread_fully(fd, std::span(reinterpret_cast<uint8_t*>(out.data()), out.size()), 0, path));
    out.resize(n);
    return out;
}

std::string offset_file_name(int64_t offset, const std::string& suffix) {
    return fmt::format("{:020d}{}", offset, suffix);
}

}  // namespace samsa::log
