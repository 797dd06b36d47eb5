#pragma once
// Kafka's CommandLineUtils checks over a parsed boost::program_options command line, with
// its messages: a usage error carries the text Kafka prints before the usage.

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/variables_map.hpp>

#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace samsa::admin {

struct UsageError {
    std::string message;
};

// checkRequiredArgs: Missing required argument "[name]".
void require_args(const boost::program_options::variables_map& vm,
                  std::initializer_list<const char*> names);

// checkInvalidArgs: when `used` is given, none of `invalid` may be.
void forbid_with(const boost::program_options::variables_map& vm, const char* used,
                 std::initializer_list<const char*> invalid);

// How a subcommand reads its command line, as Kafka's tools do: `usage` prints the tool's
// summary and options.
struct CommandLine {
    const boost::program_options::options_description& options;
    std::function<void(std::ostream&)> usage;
    std::string_view no_args_message = {};  // printed before the usage when there are no args
    std::string_view error_prefix = {};     // before a UsageError's text ("Error: " for some)
};

// Parses `args`, then runs `check` (which throws UsageError for what Kafka refuses). Returns 0
// after --help (the usage on stdout), 1 after a bad command line (why, then the usage, on
// stderr), and -1 when the command should run.
int parse_command_line(
    const std::vector<std::string>& args, const CommandLine& command_line,
    const std::function<void(const boost::program_options::variables_map&)>& check);

// parse_command_line, then, when the command should run, `run` with the parsed options. A
// ToolError that ends `run` is printed on stderr after `error_prefix` (how the Kafka tool
// reports the exception that stopped it), and the exit code is 1.
int parse_and_run(const std::vector<std::string>& args, const CommandLine& command_line,
                  const std::function<void(const boost::program_options::variables_map&)>& check,
                  const std::function<int(const boost::program_options::variables_map&)>& run,
                  std::string_view error_prefix = {});

}  // namespace samsa::admin
