#include "broker/log/broker_metadata_checkpoint.h"

#include "broker/log/errc.h"
#include "broker/log/file_util.h"
#include "common/logging.h"

#include <fmt/format.h>

#include <charconv>
#include <ctime>
#include <filesystem>
#include <map>
#include <sstream>

namespace samsa::log {
namespace {

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r");
    return b == std::string::npos ? "" : s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::map<std::string, std::string> parse_properties(const std::string& text) {
    std::map<std::string, std::string> props;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        line = trim(line);
        if (line.empty() || line[0] == '#' || line[0] == '!') {
            continue;
        }
        auto eq = line.find_first_of("=:");
        if (eq != std::string::npos) {
            props[trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
        }
    }
    return props;
}

std::error_code malformed(const std::string& path, const std::string& why) {
    get_logger("log")->error("malformed {}: {}", path, why);
    return Errc::corrupt_checkpoint;
}

}  // namespace

result<void> BrokerMetadataCheckpoint::write(const BrokerMetadata& metadata) const {
    std::time_t now = std::time(nullptr);
    char date[64];
    std::strftime(date, sizeof(date), "%a %b %d %H:%M:%S UTC %Y", std::gmtime(&now));
    std::string out = fmt::format("#\n#{}\nversion=0\nbroker.id={}\n", date, metadata.broker_id);
    if (metadata.cluster_id) {
        out += "cluster.id=" + *metadata.cluster_id + "\n";
    }
    return atomic_write_file(path_, out);
}

result<std::optional<BrokerMetadata>> BrokerMetadataCheckpoint::read() const {
    std::error_code ec;
    if (!std::filesystem::exists(path_, ec)) {
        return std::optional<BrokerMetadata>();
    }
    SAMSA_TRY(std::string text, read_whole_file(path_));
    auto props = parse_properties(text);
    if (props["version"] != "0") {
        return malformed(path_, "unsupported version '" + props["version"] + "'");
    }
    BrokerMetadata m;
    const std::string& id = props["broker.id"];
    auto [end, err] = std::from_chars(id.data(), id.data() + id.size(), m.broker_id);
    if (err != std::errc() || end != id.data() + id.size() || id.empty()) {
        return malformed(path_, "bad broker.id '" + id + "'");
    }
    if (auto it = props.find("cluster.id"); it != props.end() && !it->second.empty()) {
        m.cluster_id = it->second;
    }
    return std::optional<BrokerMetadata>(m);
}

}  // namespace samsa::log
