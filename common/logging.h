#pragma once
// One named spdlog logger per module ("log", "zk", "net", ...), all writing to the same sinks,
// so a line says which part of the broker wrote it.

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace samsa {

// Returns the logger called `name`, creating it on first use with the process-wide sinks.
std::shared_ptr<spdlog::logger> get_logger(const std::string& name);

// Sets up the process-wide sinks (stderr, or a file when `path` is not empty) and the level
// ("trace", "debug", "info", "warn", "error"). Loggers created earlier are updated too.
void init_logging(const std::string& level, const std::string& path = "");

}  // namespace samsa
