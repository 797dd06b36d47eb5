#pragma once
// NamedType: a strong typedef, so an offset can never be passed where a partition id is
// expected. Comparison and hashing come with it; arithmetic only where a type opts in.

#include <compare>
#include <cstddef>
#include <functional>
#include <ostream>

namespace samsa {

template <typename T, typename Tag>
class NamedType {
  public:
    using value_type = T;

    constexpr NamedType() = default;
    constexpr explicit NamedType(T v) : value_(v) {}

    constexpr T value() const { return value_; }
    constexpr T operator()() const { return value_; }

    friend constexpr auto operator<=>(const NamedType&, const NamedType&) = default;

    friend std::ostream& operator<<(std::ostream& os, const NamedType& v) { return os << v.value_; }

  private:
    T value_{};
};

}  // namespace samsa

template <typename T, typename Tag>
struct std::hash<samsa::NamedType<T, Tag>> {
    std::size_t operator()(const samsa::NamedType<T, Tag>& v) const noexcept {
        return std::hash<T>{}(v.value());
    }
};
