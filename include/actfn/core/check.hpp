// SPDX-License-Identifier: MIT
// Argument checks shared by every functor and span algorithm: each failure throws
// std::invalid_argument whose message names the function, the argument and its value.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <ios>
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

/// Two spans must not share any element (two outputs, or an output and an input that is read
/// more than once).
template <class A, class B>
void require_disjoint(std::string_view where, std::string_view a_name, std::span<A> a,
                      std::string_view b_name, std::span<B> b) {
  const auto* a_lo = reinterpret_cast<const std::byte*>(a.data());
  const auto* b_lo = reinterpret_cast<const std::byte*>(b.data());
  if (a.empty() || b.empty() || std::less_equal<>{}(a_lo + a.size_bytes(), b_lo) ||
      std::less_equal<>{}(b_lo + b.size_bytes(), a_lo))
    return;
  fail(where, a_name, " (", a.size(), " elements) and ", b_name, " (", b.size(),
       " elements) overlap; they must be disjoint");
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

/// A span of a call, with the name its error messages give it.
template <class T>
struct named {
  std::string_view name;
  std::span<const T> span;
};

/// Every span's data must be aligned to its element type. Only a cast can make a pointer that
/// is not, and the SIMD loops rely on it, so such a span is refused rather than read.
template <class T>
void require_aligned(std::string_view where, const named<T>& s) {
  const auto address = reinterpret_cast<std::uintptr_t>(s.span.data());
  if (address % alignof(T) != 0)
    fail(where, s.name, " starts at address 0x", std::hex, address, std::dec,
         ", which is not a multiple of ", alignof(T), " (the alignment of its element type)");
}

/// The outputs of a call against its inputs and each other: aligned, each output either the
/// very same memory as an input or disjoint from it, and the outputs disjoint from each other.
template <class T>
void require_outputs(std::string_view where, std::initializer_list<named<T>> inputs,
                     std::initializer_list<named<T>> outputs) {
  for (const named<T>& in : inputs) require_aligned(where, in);
  for (auto out = outputs.begin(); out != outputs.end(); ++out) {
    require_aligned(where, *out);
    for (const named<T>& in : inputs)
      require_no_partial_overlap(where, in.name, in.span, out->name, out->span);
    for (auto other = outputs.begin(); other != out; ++other)
      require_disjoint(where, other->name, other->span, out->name, out->span);
  }
}

/// The checks that open every span entry point whose spans hold one element per element of the
/// first input: all of the same size, and require_outputs.
template <class T>
void require_elementwise(std::string_view where, std::initializer_list<named<T>> inputs,
                         std::initializer_list<named<T>> outputs) {
  const named<T>& first = *inputs.begin();
  for (const auto* list : {&inputs, &outputs})
    for (const named<T>& s : *list)
      if (&s != &first) require_same_size(where, first.name, first.span, s.name, s.span);
  require_outputs(where, inputs, outputs);
}

}  // namespace actfn::detail
