#pragma once
// The names of every topic config LogConfig knows (log_config.h), for the admin APIs that
// validate and list them. Defined in log_config.cc, next to the key table.

#include <string>
#include <vector>

namespace samsa::log {

// Every topic key apply_topic_overrides() accepts, sorted (what AlterConfigs may set).
std::vector<std::string> topic_config_names();

}  // namespace samsa::log
