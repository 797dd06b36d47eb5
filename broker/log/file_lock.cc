#include "broker/log/file_lock.h"

#include "broker/log/errc.h"
#include "broker/log/file_util.h"
#include "common/logging.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace samsa::log {

result<std::unique_ptr<FileLock>> FileLock::acquire(const std::string& path) {
    SAMSA_TRY(int fd, open_file(path, O_RDWR | O_CREAT));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        ::close(fd);
        if (err == EWOULDBLOCK) {
            get_logger("log")->error(
                "Failed to acquire lock on file {}. A Kafka instance in another process or "
                "thread is using this directory.",
                path);
            return Errc::log_dir_locked;
        }
        errno = err;
        return io_error("flock", path);
    }
    return std::unique_ptr<FileLock>(new FileLock(fd, path));
}

FileLock::~FileLock() {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
}

}  // namespace samsa::log
