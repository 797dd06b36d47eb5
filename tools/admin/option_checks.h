#pragma once
// Kafka's CommandLineUtils checks over a parsed boost::program_options command line, with
// its messages: a usage error carries the text Kafka prints before the usage.

#include <boost/program_options/variables_map.hpp>

#include <initializer_list>
#include <string>

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

}  // namespace samsa::admin
