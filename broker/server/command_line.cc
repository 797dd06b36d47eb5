// The broker's command line: `samsa-broker <server.properties> [--override key=value]...`
// (parse_command_line, command_line_usage and load_kafka_config in kafka_config.h).
#include "broker/server/kafka_config.h"
#include "broker/server/kafka_config_keys.h"

#include <boost/program_options.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace samsa::server {

namespace po = boost::program_options;

namespace {

po::options_description visible_options() {
    po::options_description d("Options");
    d.add_options()("help,h", "print this help and exit")("version", "print the version and exit")(
        "override", po::value<std::vector<std::string>>()->composing()->value_name("key=value"),
        "set a configuration key, winning over the file (repeatable)");
    return d;
}

}  // namespace

std::string command_line_usage(std::string_view program) {
    std::ostringstream out;
    out << "USAGE: " << program << " <server.properties> [--override key=value]...\n"
        << "Starts a Samsa broker with the configuration in <server.properties>.\n\n"
        << visible_options() << "\n";
    return out.str();
}

CommandLine parse_command_line(int argc, const char* const argv[]) {
    po::options_description all;
    all.add(visible_options());
    all.add_options()("config-file", po::value<std::vector<std::string>>());
    po::positional_options_description positional;
    positional.add("config-file", -1);

    po::variables_map vm;
    try {
        const int style =
            po::command_line_style::unix_style ^ po::command_line_style::allow_guessing;
        po::store(po::command_line_parser(argc, argv)
                      .options(all)
                      .positional(positional)
                      .style(style)
                      .run(),
                  vm);
    } catch (const po::error& e) {
        throw ConfigError(std::string("Invalid command line: ") + e.what());
    }

    CommandLine out;
    out.help = vm.count("help") != 0;
    out.version = vm.count("version") != 0;
    if (vm.count("config-file") != 0) {
        const auto& files = vm["config-file"].as<std::vector<std::string>>();
        if (files.size() > 1) {
            throw ConfigError("Invalid command line: more than one configuration file given ('" +
                              files[0] + "', '" + files[1] + "')");
        }
        out.config_file = files.front();
    }
    if (out.config_file.empty() && !out.help && !out.version) {
        throw ConfigError("Invalid command line: the server.properties file is required");
    }
    if (vm.count("override") != 0) {
        for (const std::string& item : vm["override"].as<std::vector<std::string>>()) {
            auto eq = item.find('=');
            std::string key = eq == std::string::npos ? "" : detail::trim(item.substr(0, eq));
            if (key.empty()) {
                throw ConfigError("Invalid command line: --override '" + item +
                                  "' is not of the form key=value");
            }
            out.overrides.emplace_back(std::move(key), item.substr(eq + 1));
        }
    }
    return out;
}

ParsedConfig load_kafka_config(const CommandLine& command_line) {
    return parse_kafka_config(read_properties_file(command_line.config_file),
                              command_line.overrides);
}

}  // namespace samsa::server
