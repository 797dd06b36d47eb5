#include "tools/admin/option_checks.h"

#include "tools/admin/tool_support.h"

#include <boost/program_options/parsers.hpp>

#include <iostream>

namespace samsa::admin {

void require_args(const boost::program_options::variables_map& vm,
                  std::initializer_list<const char*> names) {
    for (const char* name : names) {
        if (vm.count(name) == 0) {
            throw UsageError{"Missing required argument \"[" + std::string(name) + "]\""};
        }
    }
}

void forbid_with(const boost::program_options::variables_map& vm, const char* used,
                 std::initializer_list<const char*> invalid) {
    if (vm.count(used) == 0) {
        return;
    }
    for (const char* other : invalid) {
        if (vm.count(other) > 0) {
            throw UsageError{"Option \"[" + std::string(used) +
                             "]\" can't be used with option \"[" + other + "]\""};
        }
    }
}

int parse_command_line(
    const std::vector<std::string>& args, const CommandLine& command_line,
    const std::function<void(const boost::program_options::variables_map&)>& check) {
    namespace po = boost::program_options;
    try {
        po::variables_map vm;
        po::store(po::command_line_parser(args).options(command_line.options).run(), vm);
        po::notify(vm);
        if (vm.count("help")) {
            command_line.usage(std::cout);
            return 0;
        }
        if (args.empty()) {
            std::cerr << command_line.no_args_message;
            command_line.usage(std::cerr);
            return 1;
        }
        check(vm);
    } catch (const po::error& e) {
        std::cerr << e.what() << "\n";
        command_line.usage(std::cerr);
        return 1;
    } catch (const UsageError& e) {
        std::cerr << command_line.error_prefix << e.message << "\n";
        command_line.usage(std::cerr);
        return 1;
    }
    return -1;
}

int parse_and_run(const std::vector<std::string>& args, const CommandLine& command_line,
                  const std::function<void(const boost::program_options::variables_map&)>& check,
                  const std::function<int(const boost::program_options::variables_map&)>& run,
                  std::string_view error_prefix) {
    namespace po = boost::program_options;
    po::variables_map vm;
    const int parsed = parse_command_line(args, command_line, [&](const po::variables_map& m) {
        check(m);
        vm = m;
    });
    if (parsed >= 0) {
        return parsed;
    }
    try {
        return run(vm);
    } catch (const ToolError& e) {
        std::cerr << error_prefix << e.message << "\n";
        return 1;
    }
}

}  // namespace samsa::admin
