// SPDX-License-Identifier: MIT
// Argument checks shared by every functor and span algorithm: each failure throws
// std::invalid_argument whose message names the function, the argument and its value.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace actfn::detail {

/// Builds "actfn::<where>: <what>" from streamable pieces and throws std::invalid_argument.
template <class... Parts>
[[noreturn]] void fail(std::string_view where, const Parts&... parts) {
  std::ostringstream out;
  out.precision(17);
  out << "actfn::" << where << ": ";
  (out << ... << parts);
  throw std::invalid_argument(out.str());
}

/// A parameter must be a finite number (NaN or infinity is never a valid parameter).
inline void require_finite(std::string_view where, std::string_view param, double value) {
  if (!std::isfinite(value)) fail(where, param, " must be finite (got ", value, ")");
}

/// A parameter must satisfy `ok`; `rule` says what it must be, e.g. "> 0".
inline void require(bool ok, std::string_view where, std::string_view param, double value,
                    std::string_view rule) {
  require_finite(where, param, value);
  if (!ok) fail(where, param, " must be ", rule, " (got ", value, ")");
}

/// Two spans given to one call must hold the same number of elements.
template <class A, class B>
void require_same_size(std::string_view where, std::string_view a_name, std::span<A> a,
                       std::string_view b_name, std::span<B> b) {
  if (a.size() != b.size())
    fail(where, a_name, " has ", a.size(), " elements but ", b_name, " has ", b.size(),
         "; they must be the same size");
}

/// An input and an output may be the same memory (in place) or disjoint, never partly
/// overlapping: the result would depend on the order elements are processed in.
template <class A, class B>
void require_no_partial_overlap(std::string_view where, std::string_view in_name,
                                std::span<A> in, std::string_view out_name, std::span<B> out) {
  if (in.empty() || out.empty()) return;
  const auto in_lo = reinterpret_cast<std::uintptr_t>(in.data());
  const auto out_lo = reinterpret_cast<std::uintptr_t>(out.data());
  const auto in_hi = in_lo + in.size_bytes();
  const auto out_hi = out_lo + out.size_bytes();
  const bool disjoint = in_hi <= out_lo || out_hi <= in_lo;
  const bool identical = in_lo == out_lo && in.size_bytes() == out.size_bytes();
  if (!disjoint && !identical)
    fail(where, in_name, " (", in.size(), " elements) and ", out_name, " (", out.size(),
         " elements) partly overlap; pass the same span for in-place or disjoint spans");
}

}  // namespace actfn::detail
