// samsa-admin: the administration tool, one subcommand per Kafka script it stands in for
// (`samsa-admin acls ...` is kafka-acls.sh). The scripts in scripts/ call it.

#include "tools/admin/acls_command.h"

#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Subcommand {
    std::string_view name;
    int (*run)(const std::vector<std::string>& args);
    std::string_view summary;
};

constexpr Subcommand kSubcommands[] = {
    {"acls", samsa::admin::run_acls_command, "add, remove and list ACLs (kafka-acls.sh)"},
};

void usage(std::ostream& os) {
    os << "Usage: samsa-admin <subcommand> [options]   (<subcommand> --help for its options)\n"
          "Subcommands:\n";
    for (const auto& s : kSubcommands) {
        os << "  " << s.name << std::string(12 - s.name.size(), ' ') << s.summary << "\n";
    }
}

}  // namespace

int main(int argc, char* argv[]) {
    if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? std::cerr : std::cout);
        return argc < 2 ? 1 : 0;
    }
    const std::vector<std::string> args(argv + 2, argv + argc);
    for (const auto& s : kSubcommands) {
        if (s.name == argv[1]) {
            return s.run(args);
        }
    }
    std::cerr << "samsa-admin: unknown subcommand '" << argv[1] << "'\n";
    usage(std::cerr);
    return 1;
}
