#pragma once
// FileLock: an exclusive flock(2) on <log.dir>/.lock, held for the life of the LogManager so
// a second broker (another process, or another LogManager in this one) cannot use the same
// log dir. flock locks belong to the open file, so they die with the process.

#include "common/result.h"

#include <boost/outcome/try.hpp>

#include <memory>
#include <string>

namespace samsa::log {

class FileLock {
  public:
    // Creates the file if needed and locks it without blocking; Errc::log_dir_locked (logged
    // with the path) if someone else holds it.
    static result<std::unique_ptr<FileLock>> acquire(const std::string& path);
    ~FileLock();
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

  private:
    FileLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

    int fd_;
    std::string path_;
};

}  // namespace samsa::log
