#pragma once
// One directory of certificates per test binary, made by scripts/samsa-certs.sh (a CA and a
// broker certificate for "localhost"), for the tests of TLS listeners and TLS clients.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <signal.h>
#include <string>
#include <unistd.h>

namespace samsa::net::testing {

class Certs : public ::testing::Environment {
  public:
    static inline std::filesystem::path dir;

    void SetUp() override {
        // Clients write with write(2) to servers that may have closed.
        ::signal(SIGPIPE, SIG_IGN);
        dir = std::filesystem::temp_directory_path() /
              ("samsa-net-tls-test-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        const std::string d = std::string(SAMSA_CERTS_SCRIPT) + " --dir " + dir.string() + " ";
        for (const char* args : {"ca", "broker broker"}) {
            ASSERT_EQ(std::system((d + args + " > /dev/null").c_str()), 0) << args;
        }
    }
    void TearDown() override { std::filesystem::remove_all(dir); }
};

// Registered once for the binary, whichever test files include this.
inline const auto* const kCertsEnvironment = ::testing::AddGlobalTestEnvironment(new Certs);

}  // namespace samsa::net::testing
