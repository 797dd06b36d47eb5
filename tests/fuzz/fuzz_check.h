#pragma once
// Property checks for the fuzz targets: a violated property prints why and aborts, which
// libFuzzer reports as a crash and saves the input as crash-<sha1>.

#include <cstdio>
#include <cstdlib>

#define FUZZ_FAIL(...)                                                                 \
    do {                                                                               \
        std::fprintf(stderr, "fuzz property violated at %s:%d: ", __FILE__, __LINE__); \
        std::fprintf(stderr, __VA_ARGS__);                                             \
        std::fputc('\n', stderr);                                                      \
        std::abort();                                                                  \
    } while (0)

#define FUZZ_CHECK(cond, ...)       \
    do {                            \
        if (!(cond)) {              \
            FUZZ_FAIL(__VA_ARGS__); \
        }                           \
    } while (0)
