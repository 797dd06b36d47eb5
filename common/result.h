#pragma once
// Fallible calls return result<T>: a value or a std::error_code (each module has its own
// error enum registered as an error category). Exceptions are kept for process boundaries.

#include <boost/outcome/std_result.hpp>
#include <boost/outcome/try.hpp>

#include <system_error>

namespace samsa {

namespace outcome = boost::outcome_v2;

template <typename T>
using result = outcome::std_result<T>;

using outcome::success;

// Returns the error of a failed result from the enclosing function.
#define SAMSA_TRY(...) BOOST_OUTCOME_TRY(__VA_ARGS__)

}  // namespace samsa
