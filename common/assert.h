#pragma once
// SAMSA_ASSERT: for invariants that cannot fail unless the code is wrong. It logs and aborts.
// Bad input is never asserted on: it gets an error code.

#include <spdlog/spdlog.h>

#include <cstdlib>

#define SAMSA_ASSERT(cond, ...)                                                              \
    do {                                                                                     \
        if (!(cond)) [[unlikely]] {                                                          \
            spdlog::critical("assertion failed at {}:{}: {}: {}", __FILE__, __LINE__, #cond, \
                             fmt::format(__VA_ARGS__));                                      \
            spdlog::shutdown();                                                              \
            std::abort();                                                                    \
        }                                                                                    \
    } while (0)
