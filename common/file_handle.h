#pragma once
// FileHandle: an open file descriptor, closed when the last owner lets go. Shared so that a
// fetch response can keep a segment file readable (for sendfile) after the log has rolled,
// truncated or deleted that segment: an unlinked file stays readable while it is open.

#include <memory>
#include <string>
#include <unistd.h>

namespace samsa {

class FileHandle {
  public:
    FileHandle(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
    ~FileHandle() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    FileHandle(const FileHandle&) = delete;
    FileHandle& operator=(const FileHandle&) = delete;

    int fd() const { return fd_; }
    const std::string& path() const { return path_; }

  private:
    int fd_;
    std::string path_;
};

}  // namespace samsa
