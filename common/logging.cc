#include "common/logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <mutex>
#include <vector>

namespace samsa {
namespace {

struct Registry {
    std::mutex mu;
    std::vector<spdlog::sink_ptr> sinks{std::make_shared<spdlog::sinks::stderr_sink_mt>()};
    spdlog::level::level_enum level = spdlog::level::info;
};

Registry& registry() {
    static Registry r;
    return r;
}

}  // namespace

std::shared_ptr<spdlog::logger> get_logger(const std::string& name) {
    auto& r = registry();
    std::lock_guard lock(r.mu);
    if (auto existing = spdlog::get(name)) {
        return existing;
    }
    auto logger = std::make_shared<spdlog::logger>(name, r.sinks.begin(), r.sinks.end());
    logger->set_level(r.level);
    logger->set_pattern("[%Y-%m-%d %H:%M:%S,%e] %^%l%$ [%n] %v");
    spdlog::register_logger(logger);
    return logger;
}

void init_logging(const std::string& level, const std::string& path) {
    auto& r = registry();
    std::lock_guard lock(r.mu);
    r.level = spdlog::level::from_str(level);
    if (!path.empty()) {
        r.sinks = {std::make_shared<spdlog::sinks::basic_file_sink_mt>(path)};
    }
    spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& logger) {
        logger->sinks() = r.sinks;
        logger->set_level(r.level);
    });
    spdlog::set_level(r.level);
}

}  // namespace samsa
