// The fast tier, actfn::fast(f) (core/fast.hpp), for every function of the catalogue (each case
// once per function, named "<function>: fast: ..."): scalar == SIMD lane bit for bit, the
// documented values at NaN, +-inf, +-0 and the kinks as for the precise tier, the fast contract
// and each function's fast bound against the independent long double references over edge and
// random inputs and every parameter set of the grid, the span algorithms against the scalar
// calls for every length up to a few batches (tails included), and fast(f) == f bit for bit
// where f has no fast kernels. The exhaustive and sampled sweeps of tools/ulp_sweep.cpp
// (--tier fast) cover all inputs; this file keeps the per-ISA build of them honest.
#include <actfn/actfn.hpp>
#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "support/catalogue_cases.hpp"
#include "support/checks.hpp"
#include "support/inputs.hpp"
#include "support/reference.hpp"

using namespace actfn_test;

namespace {

template <class T>
std::vector<T> fast_inputs() {
  std::vector<T> v = edge_inputs<T>();
  for (T x : random_inputs<T>(3000, T(-12), T(12))) v.push_back(x);
  for (T x : random_inputs<T>(1000, T(-120), T(120), 7)) v.push_back(x);
  for (T x : random_inputs<T>(300, T(-1e-3), T(1e-3), 9)) v.push_back(x);
  return v;
}

template <class F, class T, class Check>
void for_each_lane(const F& g, const std::vector<T>& xs, Check check) {
  using B = xsimd::batch<T>;
  std::vector<T> buf(B::size);
  for (std::size_t i = 0; i < xs.size(); i += B::size) {
    for (std::size_t k = 0; k < B::size; ++k) buf[k] = xs[(i + k) % xs.size()];
    const B xb = B::load_unaligned(buf.data());
    const B y = g(xb), d = g.derivative(xb), b = g.backward(xb, B(T(0.75)));
    for (std::size_t k = 0; k < B::size; ++k) check(buf[k], y.get(k), d.get(k), b.get(k));
  }
}

}  // namespace

TEST_CASE("fast: the adaptor's shape", "[fast]") {
  STATIC_REQUIRE(std::is_same_v<decltype(actfn::fast(actfn::fast(actfn::gelu{}))),
                                actfn::fast_t<actfn::gelu>>);
  STATIC_REQUIRE(actfn::activation<actfn::fast_t<actfn::sigmoid>>);
  STATIC_REQUIRE(actfn::derivative_from_output_capable<actfn::fast_t<actfn::sigmoid>>);
  STATIC_REQUIRE(!actfn::derivative_from_output_capable<actfn::fast_t<actfn::gelu>>);
  STATIC_REQUIRE(actfn::fast_t<actfn::sigmoid>::name == actfn::sigmoid::name);
  STATIC_REQUIRE(actfn::fast_t<actfn::relu>::memory_bound);
  STATIC_REQUIRE(actfn::fast_t<actfn::gelu>::fast_value);
  STATIC_REQUIRE(!actfn::fast_t<actfn::relu>::fast_value);
  // Parameters stay in the wrapped functor, validated when it was made.
  const auto s = actfn::fast(actfn::swish(0.5));
  CHECK(s.precise().beta == 0.5);
  CHECK_THROWS_AS(actfn::fast(actfn::elu(std::nan(""))), std::invalid_argument);
  // The examples of the issue.
  std::vector<float> x{-1.f, 0.f, 1.f, 2.f, 3.f}, y(5);
  actfn::forward(actfn::fast(actfn::gelu{}), x, y);
  CHECK_THAT(y[2], Catch::Matchers::WithinAbs(0.8413447460685429, 4e-7));
  CHECK_THAT(actfn::fast(actfn::sigmoid{})(0.5f), Catch::Matchers::WithinAbs(0.6224593312018546, 2e-7));
}

ACTFN_CATALOGUE_TEST_CASE("fast: bounds within the contract", "[fast]") {
  using G = actfn::fast_t<TestType>;
  STATIC_REQUIRE(G::bound.f32_ulp <= fast_contract_ulp);
  STATIC_REQUIRE(G::bound.f64_ulp <= fast_contract_ulp);
  STATIC_REQUIRE(G::bound.f32_derivative_ulp <= fast_contract_derivative_ulp);
  STATIC_REQUIRE(G::bound.f64_derivative_ulp <= fast_contract_derivative_ulp);
  STATIC_REQUIRE(G::parameter_bound.f32_ulp <= fast_contract_ulp);
  STATIC_REQUIRE(G::parameter_bound.f32_derivative_ulp <= fast_contract_derivative_ulp);
}

ACTFN_CATALOGUE_TEST_CASE("fast: scalar result equals the SIMD lane bit for bit", "[fast]") {
  const auto g = actfn::fast(TestType{});
  auto run = [&](auto zero) {
    using T = decltype(zero);
    for_each_lane(g, fast_inputs<T>(), [&](T x, T y, T d, T b) {
      INFO("x = " << show(x));
      CHECK(same_bits(g(x), y));
      CHECK(same_bits(g.derivative(x), d));
      CHECK(same_bits(g.backward(x, T(0.75)), b));
    });
  };
  run(0.0f);
  run(0.0);
}

ACTFN_CATALOGUE_TEST_CASE("fast: NaN, infinities, zeros and kinks as the precise tier", "[fast]") {
  for (const auto& params : parameter_grid_of<TestType>()) {
    const auto g = actfn::fast(params.f);
    INFO("parameters: " << (params.label.empty() ? "defaults" : params.label));
    auto run = [&](auto zero) {
      using T = decltype(zero);
      if (params.label.empty()) check_nan_in_nan_out<T>(g);  // derivative_from_output too
      for (T nan : {std::numeric_limits<T>::quiet_NaN(), -std::numeric_limits<T>::quiet_NaN()}) {
        CHECK(std::isnan(g(nan)));
        CHECK(std::isnan(g.derivative(nan)));
        CHECK(std::isnan(g.backward(nan, T(1))));
      }
      for (const auto& p : special_points_of(params.f)) {
        const T x = static_cast<T>(p.x);
        INFO("x = " << show(x));
        if (p.f) {
          const T want = static_cast<T>(*p.f), got = g(x);
          CHECK(got == want);
          if (p.x == 0 && want == 0) CHECK(std::signbit(got) == std::signbit(want));
        }
        if (p.df) CHECK(g.derivative(x) == static_cast<T>(*p.df));
      }
    };
    run(0.0f);
    run(0.0);
  }
}

ACTFN_CATALOGUE_TEST_CASE("fast: within its fast bound and the contract", "[fast]") {
  for (const auto& params : parameter_grid_of<TestType>()) {
    const auto g = actfn::fast(params.f);
    using G = std::remove_const_t<decltype(g)>;
    const actfn::accuracy bound = actfn::bound_for<G>(params.label.empty());
    INFO("parameters: " << (params.label.empty() ? "defaults" : params.label));
    auto run = [&](auto zero) {
      using T = decltype(zero);
      constexpr bool f32 = sizeof(T) == 4;
      const double fwd = std::min(f32 ? bound.f32_ulp : bound.f64_ulp, fast_contract_ulp);
      const double der = std::min(f32 ? bound.f32_derivative_ulp : bound.f64_derivative_ulp,
                                  fast_contract_derivative_ulp);
      for_each_lane(g, fast_inputs<T>(), [&](T x, T y, T d, T b) {
        if (std::isnan(x)) return;
        INFO("x = " << show(x) << ", f = " << show(y) << ", f' = " << show(d));
        CHECK(static_cast<double>(fast_forward_error<T>(params.f, x, y)) <= fwd);
        CHECK(static_cast<double>(fast_derivative_error<T>(params.f, x, d)) <= der);
        CHECK(static_cast<double>(fast_backward_error<T>(params.f, x, T(0.75), b)) <=
              2 * der + 0.5);
      });
    };
    run(0.0f);
    run(0.0);
  }
}

ACTFN_CATALOGUE_TEST_CASE("fast: span algorithms equal the scalar calls, tails included",
                          "[fast]") {
  const auto g = actfn::fast(TestType{});
  auto run = [&](auto zero) {
    using T = decltype(zero);
    constexpr std::size_t W = xsimd::batch<T>::size;
    const std::vector<T> all = random_inputs<T>(8 * W + 3, T(-10), T(10), 11);
    const std::vector<T> dys = random_inputs<T>(8 * W + 3, T(-2), T(2), 12);
    for (std::size_t n = 0; n <= 6 * W + 1; ++n) {
      for (std::size_t offset : {std::size_t{0}, std::size_t{1}}) {
        const std::vector<T> x(all.begin() + offset, all.begin() + offset + n);
        const std::vector<T> dy(dys.begin() + offset, dys.begin() + offset + n);
        std::vector<T> y(n), d(n), b(n), bo(n), fy(n);
        actfn::forward(g, x, y);
        actfn::derivative(g, x, d);
        actfn::backward(g, x, dy, b);
        for (std::size_t i = 0; i < n; ++i) {
          INFO("n = " << n << ", offset = " << offset << ", i = " << i);
          CHECK(same_bits(y[i], g(x[i])));
          CHECK(same_bits(d[i], g.derivative(x[i])));
          CHECK(same_bits(b[i], g.backward(x[i], dy[i])));
        }
        if constexpr (actfn::derivative_from_output_capable<decltype(g)>) {
          actfn::backward_from_output(g, y, dy, bo);
          for (std::size_t i = 0; i < n; ++i)
            CHECK(same_bits(bo[i], T(dy[i] * g.derivative_from_output(y[i]))));
        }
      }
    }
  };
  run(0.0f);
  run(0.0);
}

ACTFN_CATALOGUE_TEST_CASE("fast: without fast kernels, the precise results bit for bit",
                          "[fast]") {
  const TestType f{};
  const auto g = actfn::fast(f);
  auto run = [&](auto zero) {
    using T = decltype(zero);
    // Double always takes the precise kernels where a function has no fast double kernel;
    // float where it has no fast kernel at all.
    const bool value_same = !decltype(g)::fast_value || sizeof(T) == 8;
    const bool derivative_same = !decltype(g)::fast_derivative || sizeof(T) == 8;
    for (T x : fast_inputs<T>()) {
      INFO("x = " << show(x));
      if (value_same) CHECK(same_bits(g(x), f(x)));
      if (derivative_same) CHECK(same_bits(g.derivative(x), f.derivative(x)));
      if (!decltype(g)::fast_derivative) CHECK(same_bits(g.backward(x, T(-1.5)), f.backward(x, T(-1.5))));
    }
  };
  run(0.0f);
  run(0.0);
}
