#include "tools/admin/option_checks.h"

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
            throw UsageError{"Option \"[" + std::string(used) + "]\" can't be used with option \"[" +
                             other + "]\""};
        }
    }
}

}  // namespace samsa::admin
