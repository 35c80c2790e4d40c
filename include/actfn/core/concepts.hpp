// SPDX-License-Identifier: MIT
#pragma once

#include <concepts>
#include <string_view>
#include <type_traits>

#include "actfn/core/config.hpp"

namespace actfn {

/// float or double: the element types actfn computes in.
template <class T>
concept real_scalar = std::same_as<T, float> || std::same_as<T, double>;

namespace detail {
template <class T>
struct is_real_batch : std::false_type {};
template <class T, class A>
struct is_real_batch<xsimd::batch<T, A>> : std::bool_constant<real_scalar<T>> {};
template <class B, std::size_t N>
struct is_real_batch<multi<B, N>> : is_real_batch<B> {};  // for the span algorithms only
}  // namespace detail

/// xsimd::batch<float|double, A> for any architecture A.
template <class T>
concept real_batch = detail::is_real_batch<T>::value;

/// What an activation's call operator and derivative accept.
template <class T>
concept real_value = real_scalar<T> || real_batch<T>;

/// An elementwise activation: a name, f(x) and f.derivative(x) on scalars and batches.
template <class F>
concept activation = requires(const F& f, float x, double d, xsimd::batch<float> b,
                              xsimd::batch<double> bd) {
  { F::name } -> std::convertible_to<std::string_view>;
  { f(x) } -> std::same_as<float>;
  { f(d) } -> std::same_as<double>;
  { f(b) } -> std::same_as<xsimd::batch<float>>;
  { f(bd) } -> std::same_as<xsimd::batch<double>>;
  { f.derivative(x) } -> std::same_as<float>;
  { f.derivative(bd) } -> std::same_as<xsimd::batch<double>>;
};

/// An activation whose derivative can be computed from its output y = f(x) alone.
template <class F>
concept derivative_from_output_capable =
    activation<F> && requires(const F& f, float y, xsimd::batch<double> b) {
      { f.derivative_from_output(y) } -> std::same_as<float>;
      { f.derivative_from_output(b) } -> std::same_as<xsimd::batch<double>>;
    };

}  // namespace actfn
