// include/actfn/rowwise/softmax.hpp: softmax, log_softmax and their backward passes.
//
// References are long double: softmax_j = exp(d_j) / sum_i exp(d_i) with d = x - max(x) (exact
// in long double for float input, 2^-64-relative for double), and log_softmax_j = d_j -
// log1p(sum over i != first argmax of exp(d_i)), arranged so that the log of a sum close to 1
// keeps its relative accuracy. The backward passes are checked against the full Jacobians
//   softmax:      J_ij = dy_i/dx_j = p_i (delta_ij - p_j)
//   log_softmax:  J_ij = delta_ij - p_j
// built from the long double p = softmax(x), dx_ref = J^T dy; the Jacobian formulas themselves
// are checked against central differences of the long double reference.
//
// Tolerances (eps = machine epsilon of T). Forward: the documented bounds, softmax 4 ULP (float)
// and 6 ULP (double), log_softmax 3 and 4 ULP; a reference below the smallest normal number may
// be flushed to 0 (actfn's exp does not produce subnormals). Backward: the input y carries the
// forward's error (<= 6 eps relative for softmax, <= 4 eps |y| absolute for log_softmax, which
// exp turns into 4 eps |y| relative), and the pass itself adds a few roundings, so
//   softmax:      |dx_j - ref_j| <= 8 eps p_j (|dy_j| + sum_i p_i |dy_i|)
//   log_softmax:  |dx_j - ref_j| <= 8 eps (|dy_j| + p_j (1 + |y_j|) sum_i |dy_i|).
// Backward on cancelling rows: the passes alone, against the exact result for the given y and
// dy (sums in 113-bit arithmetic, exact to far below an ULP of double), on rows built so that
// the sum nearly equals dy_j (softmax) or exp(y_j) S nearly equals dy_j (log_softmax),
// measured with ulp_error (tests/support/ulp.hpp) against the documented bounds, after the
// documented error of the pass's own sum (excess_error).
#include <actfn/rowwise/softmax.hpp>
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "support/inputs.hpp"
#include "support/ulp.hpp"

// Another architecture than the build's default, to compare with: SSE2 on x86; on AArch64
// NEON (neon64) is the only one.
#if defined(__aarch64__)
using other_arch = xsimd::neon64;
#else
using other_arch = xsimd::sse2;
#endif

using namespace actfn_test;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinULP;
using ld = long double;

namespace {

std::size_t first_argmax(std::span<const ld> d) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < d.size(); ++i)
    if (d[i] > d[best]) best = i;
  return best;
}

template <class T>
std::vector<ld> shifted(std::span<const T> x) {
  std::vector<ld> d(x.begin(), x.end());
  ld m = d[0];
  for (ld v : d) m = std::max(m, v);
  for (ld& v : d) v -= m;
  return d;
}

template <class T>
std::vector<ld> ref_softmax(std::span<const T> x) {
  std::vector<ld> p = shifted(x);
  ld s = 0;
  for (ld v : p) s += std::exp(v);
  for (ld& v : p) v = std::exp(v) / s;
  return p;
}

template <class T>
std::vector<ld> ref_log_softmax(std::span<const T> x) {
  std::vector<ld> d = shifted(x);
  const std::size_t top = first_argmax(d);
  ld rest = 0;
  for (std::size_t i = 0; i < d.size(); ++i)
    if (i != top) rest += std::exp(d[i]);
  const ld log_sum = std::log1p(rest);
  for (ld& v : d) v -= log_sum;
  return d;
}

/// got within `ulps` of ref; below the normal range, within the smallest normal number.
template <class T>
bool within(T got, ld ref, std::uint64_t ulps) {
  if (std::fabs(ref) < std::numeric_limits<T>::min())
    return WithinAbs(static_cast<double>(ref), std::numeric_limits<T>::min()).match(got);
  return WithinULP(static_cast<T>(ref), ulps).match(got);
}

/// The assertion form of within(). Loops over many elements test within() first and assert
/// (with the element's context) only on failure, which keeps the sanitizer build fast.
template <class T>
void check_close(T got, ld ref, std::uint64_t ulps) {
  if (std::fabs(ref) < std::numeric_limits<T>::min())
    CHECK_THAT(got, WithinAbs(static_cast<double>(ref), std::numeric_limits<T>::min()));
  else
    CHECK_THAT(got, WithinULP(static_cast<T>(ref), ulps));
}

/// The documented bounds (softmax.hpp).
template <class T>
constexpr std::uint64_t softmax_ulps = std::is_same_v<T, float> ? 4 : 6;
template <class T>
constexpr std::uint64_t log_softmax_ulps = std::is_same_v<T, float> ? 3 : 4;

/// Runs forward(x, y, cols) on rows of random values in [-spread, spread] and compares every
/// element with ref(row).
template <class T, class Forward, class Ref>
void check_forward(Forward forward, Ref ref, std::uint64_t ulps, double spread) {
  for (std::size_t cols : row_lengths<T>(1)) {
    const std::size_t rows = 3;
    const auto x = uniform<T>(rows * cols, -spread, spread, cols);
    std::vector<T> y(x.size());
    forward(x, y, cols);
    for (std::size_t r = 0; r < rows; ++r) {
      const auto want = ref(std::span<const T>(x).subspan(r * cols, cols));
      for (std::size_t j = 0; j < cols; ++j) {
        if (within(y[r * cols + j], want[j], ulps)) continue;
        CAPTURE(cols, r, j, x[r * cols + j], spread);
        check_close(y[r * cols + j], want[j], ulps);
      }
    }
  }
}

}  // namespace

// ---- forward ---------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("softmax matches a long double reference within 4 (float) / 6 (double) ULP",
                   "[softmax]", float, double) {
  using T = TestType;
  auto f = [](const auto& x, auto& y, std::size_t c) { actfn::softmax(x, y, c); };
  check_forward<T>(f, ref_softmax<T>, softmax_ulps<T>, 10);
  check_forward<T>(f, ref_softmax<T>, softmax_ulps<T>, std::is_same_v<T, float> ? 60 : 400);
}

TEMPLATE_TEST_CASE("log_softmax matches a long double reference within 3 / 4 ULP", "[softmax]",
                   float, double) {
  using T = TestType;
  auto f = [](const auto& x, auto& y, std::size_t c) { actfn::log_softmax(x, y, c); };
  check_forward<T>(f, ref_log_softmax<T>, log_softmax_ulps<T>, 10);
  check_forward<T>(f, ref_log_softmax<T>, log_softmax_ulps<T>, std::is_same_v<T, float> ? 60 : 400);
}

TEMPLATE_TEST_CASE("log_softmax of a dominant entry keeps its relative accuracy", "[softmax]",
                   float, double) {
  using T = TestType;
  // y_0 = -log(1 + e^-d) ~ -e^-d: tiny, and lost entirely by log(sum) when 1 + e^-d rounds to 1.
  for (T gap : {T(5), T(15), T(30), T(60)}) {
    const std::vector<T> x = {gap, T(0)};
    std::vector<T> y(2);
    actfn::log_softmax(x, y, 2);
    CAPTURE(gap);
    check_close(y[0], -std::log1p(std::exp(-static_cast<ld>(gap))), log_softmax_ulps<T>);
    check_close(y[1], -static_cast<ld>(gap) - std::log1p(std::exp(-static_cast<ld>(gap))),
                log_softmax_ulps<T>);
  }
}

TEMPLATE_TEST_CASE("softmax subtracts the row maximum: huge inputs are exact", "[softmax]", float,
                   double) {
  using T = TestType;
  const std::vector<T> big = {1000, 1001, 1002}, small = {0, 1, 2};
  std::vector<T> y_big(3), y_small(3), l_big(3);
  actfn::softmax(big, y_big, 3);
  actfn::softmax(small, y_small, 3);
  actfn::log_softmax(big, l_big, 3);
  const auto want = ref_softmax<T>(small);
  const auto want_log = ref_log_softmax<T>(small);
  for (std::size_t j = 0; j < 3; ++j) {
    CAPTURE(j);
    check_close(y_big[j], want[j], softmax_ulps<T>);
    CHECK(y_big[j] == y_small[j]);  // x - max is exact here, so the rows are the same problem
    check_close(l_big[j], want_log[j], log_softmax_ulps<T>);
  }
  const T top = std::numeric_limits<T>::max();
  const std::vector<T> extreme = {top, top, -top};
  std::vector<T> y(3);
  actfn::softmax(extreme, y, 3);
  CHECK(y[0] == T(0.5));
  CHECK(y[1] == T(0.5));
  CHECK(y[2] == T(0));
}

TEMPLATE_TEST_CASE("a long row's sum does not lose accuracy with its length", "[softmax]", float,
                   double) {
  using T = TestType;
  // {0, -1, -1, ..., -1}: a plain running sum of n equal terms drifts by up to n/W roundings;
  // the reference sum 1 + (n - 1) e^-1 needs no long summation.
  const std::size_t n = std::size_t(1) << 17;
  std::vector<T> x(n, T(-1)), y(n), l(n);
  x[0] = 0;
  actfn::softmax(x, y, n);
  actfn::log_softmax(x, l, n);
  const ld s = 1 + static_cast<ld>(n - 1) * std::exp(-1.0L);
  check_close(y[0], 1 / s, softmax_ulps<T>);
  check_close(y[n - 1], std::exp(-1.0L) / s, softmax_ulps<T>);
  check_close(l[0], -std::log(s), log_softmax_ulps<T>);
  check_close(l[n - 1], -1 - std::log(s), log_softmax_ulps<T>);
}

TEST_CASE("log_softmax sums a row longer than one chunk of 2^24 elements", "[softmax]") {
  // log_softmax counts the entries equal to the maximum, and sums the others' exp, chunk by
  // chunk (2^24 elements each, so that float lanes count exactly). Maxima in both chunks, and
  // other entries on both sides whose terms weigh far more than an ULP of the sum, must all
  // count: first chunk -20 (2^24 e^-20 = 0.035 in all), second chunk -1 (4 e^-1 = 1.47).
  const std::size_t chunk = std::size_t(1) << 24, n = chunk + 5;
  std::vector<float> x(n, -20.0f), y(n);
  for (std::size_t i = chunk; i < n; ++i) x[i] = -1;
  for (std::size_t i : {std::size_t(0), chunk - 1, chunk + 2}) x[i] = 0;
  actfn::log_softmax(x, y, n);
  const ld s = 3 + static_cast<ld>(chunk - 2) * std::exp(-20.0L) + 4 * std::exp(-1.0L);
  check_close(y[0], -std::log(s), log_softmax_ulps<float>);
  check_close(y[chunk + 2], -std::log(s), log_softmax_ulps<float>);
  check_close(y[1], -20 - std::log(s), log_softmax_ulps<float>);
  check_close(y[n - 1], -1 - std::log(s), log_softmax_ulps<float>);
}

TEMPLATE_TEST_CASE("softmax rows with -inf entries give 0 there, log_softmax -inf", "[softmax]",
                   float, double) {
  using T = TestType;
  const std::vector<T> x = {-inf<T>, T(1), T(2), -inf<T>, T(-3)};
  const std::vector<T> finite = {T(1), T(2), T(-3)};
  std::vector<T> y(5), l(5);
  actfn::softmax(x, y, 5);
  actfn::log_softmax(x, l, 5);
  const auto want = ref_softmax<T>(finite);
  const auto want_log = ref_log_softmax<T>(finite);
  CHECK(y[0] == T(0));
  CHECK(y[3] == T(0));
  CHECK(l[0] == -inf<T>);
  CHECK(l[3] == -inf<T>);
  const std::size_t at[] = {1, 2, 4};
  for (std::size_t k = 0; k < 3; ++k) {
    CAPTURE(k);
    check_close(y[at[k]], want[k], softmax_ulps<T>);
    check_close(l[at[k]], want_log[k], log_softmax_ulps<T>);
  }
}

TEMPLATE_TEST_CASE("all -inf, +inf or NaN in a row make that row NaN (as PyTorch)", "[softmax]",
                   float, double) {
  using T = TestType;
  const T nan = std::numeric_limits<T>::quiet_NaN();
  // Row 0 all -inf, row 1 holds +inf, row 2 holds NaN, row 3 is ordinary and must stay so.
  const std::vector<T> x = {-inf<T>, -inf<T>, -inf<T>,  //
                            T(1), inf<T>, T(2),         //
                            T(1), nan, T(2),            //
                            T(1), T(2), T(3)};
  std::vector<T> y(x.size()), l(x.size());
  actfn::softmax(x, y, 3);
  actfn::log_softmax(x, l, 3);
  for (std::size_t i = 0; i < 9; ++i) {
    CAPTURE(i, x[i]);
    CHECK(std::isnan(y[i]));
    CHECK(std::isnan(l[i]));
  }
  const auto want = ref_softmax<T>(std::span<const T>(x).subspan(9));
  for (std::size_t j = 0; j < 3; ++j) check_close(y[9 + j], want[j], softmax_ulps<T>);
}

// ---- backward --------------------------------------------------------------------------------

TEST_CASE("the softmax and log_softmax Jacobian formulas match central differences",
          "[softmax][backward]") {
  // Checks the references' Jacobians (not the library): d p_i / d x_j by central differences
  // of the long double softmax, against p_i (delta_ij - p_j), and log p likewise.
  const auto x = uniform<double>(5, -3, 3, 7);
  const auto softmax_ld = [](std::vector<ld> v) {
    ld m = v[0], s = 0;
    for (ld t : v) m = std::max(m, t);
    for (ld& t : v) s += (t = std::exp(t - m));
    for (ld& t : v) t /= s;
    return v;
  };
  const std::vector<ld> xl(x.begin(), x.end());
  const auto p = softmax_ld(xl);
  const ld h = 1e-6L;
  for (std::size_t j = 0; j < 5; ++j) {
    auto up = xl, down = xl;
    up[j] += h;
    down[j] -= h;
    const auto pu = softmax_ld(up), pd = softmax_ld(down);
    for (std::size_t i = 0; i < 5; ++i) {
      CAPTURE(i, j);
      const ld delta = i == j ? 1 : 0;
      CHECK_THAT(static_cast<double>((pu[i] - pd[i]) / (2 * h)),
                 WithinAbs(static_cast<double>(p[i] * (delta - p[j])), 1e-9));
      CHECK_THAT(static_cast<double>((std::log(pu[i]) - std::log(pd[i])) / (2 * h)),
                 WithinAbs(static_cast<double>(delta - p[j]), 1e-9));
    }
  }
}

TEMPLATE_TEST_CASE("softmax_backward equals dy times the full Jacobian diag(p) - p p^T",
                   "[softmax][backward]", float, double) {
  using T = TestType;
  const ld eps = std::numeric_limits<T>::epsilon();
  for (std::size_t cols : row_lengths<T>(1)) {
    const std::size_t rows = 2;
    const auto x = uniform<T>(rows * cols, -5, 5, 100 + cols);
    const auto dy = uniform<T>(rows * cols, -1, 1, 200 + cols);
    std::vector<T> y(x.size()), dx(x.size());
    actfn::softmax(x, y, cols);
    actfn::softmax_backward(y, dy, dx, cols);
    for (std::size_t r = 0; r < rows; ++r) {
      const std::size_t o = r * cols;
      const auto p = ref_softmax<T>(std::span<const T>(x).subspan(o, cols));
      ld weighted = 0;
      for (std::size_t i = 0; i < cols; ++i) weighted += p[i] * std::fabs(dy[o + i]);
      for (std::size_t j = 0; j < cols; ++j) {
        ld want = 0;
        for (std::size_t i = 0; i < cols; ++i)
          want += dy[o + i] * (p[i] * ((i == j ? 1 : 0) - p[j]));
        const ld tol = 8 * eps * p[j] * (std::fabs(dy[o + j]) + weighted);
        if (std::fabs(dx[o + j] - want) <= tol) continue;
        CAPTURE(cols, r, j, x[o + j], dy[o + j]);
        CHECK_THAT(static_cast<double>(dx[o + j]),
                   WithinAbs(static_cast<double>(want), static_cast<double>(tol)));
      }
    }
  }
}

TEMPLATE_TEST_CASE("log_softmax_backward equals dy times the full Jacobian I - 1 p^T",
                   "[softmax][backward]", float, double) {
  using T = TestType;
  const ld eps = std::numeric_limits<T>::epsilon();
  for (std::size_t cols : row_lengths<T>(1)) {
    const std::size_t rows = 2;
    const auto x = uniform<T>(rows * cols, -5, 5, 300 + cols);
    const auto dy = uniform<T>(rows * cols, -1, 1, 400 + cols);
    std::vector<T> y(x.size()), dx(x.size());
    actfn::log_softmax(x, y, cols);
    actfn::log_softmax_backward(y, dy, dx, cols);
    for (std::size_t r = 0; r < rows; ++r) {
      const std::size_t o = r * cols;
      const auto p = ref_softmax<T>(std::span<const T>(x).subspan(o, cols));
      ld abs_sum = 0;
      for (std::size_t i = 0; i < cols; ++i) abs_sum += std::fabs(dy[o + i]);
      for (std::size_t j = 0; j < cols; ++j) {
        ld want = 0;
        for (std::size_t i = 0; i < cols; ++i) want += dy[o + i] * ((i == j ? 1 : 0) - p[j]);
        const ld tol =
            8 * eps * (std::fabs(dy[o + j]) + p[j] * (1 + std::fabs(y[o + j])) * abs_sum);
        if (std::fabs(dx[o + j] - want) <= tol) continue;
        CAPTURE(cols, r, j, x[o + j], dy[o + j]);
        CHECK_THAT(static_cast<double>(dx[o + j]),
                   WithinAbs(static_cast<double>(want), static_cast<double>(tol)));
      }
    }
  }
}

TEMPLATE_TEST_CASE("NaN in dy or y spreads over its row of dx only", "[softmax][backward]",
                   float, double) {
  using T = TestType;
  const T nan = std::numeric_limits<T>::quiet_NaN();
  const std::vector<T> x = {1, 2, 3, 4, 5, 6};
  std::vector<T> y(6), l(6), dx(6);
  actfn::softmax(x, y, 3);
  actfn::log_softmax(x, l, 3);
  const std::vector<T> dy = {T(0.5), nan, T(1), T(0.5), T(-1), T(1)};
  actfn::softmax_backward(y, dy, dx, 3);
  for (std::size_t j = 0; j < 3; ++j) CHECK(std::isnan(dx[j]));
  for (std::size_t j = 3; j < 6; ++j) CHECK(std::isfinite(dx[j]));
  actfn::log_softmax_backward(l, dy, dx, 3);
  for (std::size_t j = 0; j < 3; ++j) CHECK(std::isnan(dx[j]));
  for (std::size_t j = 3; j < 6; ++j) CHECK(std::isfinite(dx[j]));
}

// ---- backward on cancelling rows -------------------------------------------------------------

// A type of at least 113 significant bits: __float128 where GCC has it (x86), else long double
// where that is IEEE binary128 (AArch64).
#if defined(__SIZEOF_FLOAT128__)
using q128 = __float128;
#else
using q128 = long double;
static_assert(std::numeric_limits<q128>::digits >= 113, "the exact references need 113 bits");
#endif

q128 q_abs(q128 v) { return v < 0 ? -v : v; }

/// A sum in q128 kept as s + c (Neumaier's compensated summation). The terms here are exact
/// in q128 (floats, doubles and products of two of them: 48 and 106 bits of its 113), so
/// s + c is within about n^2 2^-226 sum |terms| of the exact sum, and d - (s + c) taken as
/// (d - s) - c (d - s exact where they are close) is within 2^-112 of itself on top: a
/// fraction of an ULP of double even where d and the sum agree to many more bits than T has.
struct exact_sum {
  q128 s = 0, c = 0;
  void add(q128 v) {
    const q128 t = s + v;
    c += q_abs(s) >= q_abs(v) ? (s - t) + v : (v - t) + s;
    s = t;
  }
  q128 from(q128 d) const { return (d - s) - c; }
};

/// The exact gradient of a backward pass, rounded to long double, and what its error is
/// measured against (the documented bounds, softmax.hpp): dx_j's ULPs, or those of scale_j
/// where it is larger, after the sum's own error, slack_j (absolute), is taken off.
struct ref_gradient {
  std::vector<ld> dx, scale, slack;
};

/// The sum's own error as documented: n 2^-106 (float: two words of double) / n 2^-159
/// (double: three words) of the sum of the terms' magnitudes.
template <class T>
ld sum_error(std::size_t n, ld magnitudes) {
  return static_cast<ld>(n) * (std::is_same_v<T, float> ? 0x1p-106L : 0x1p-159L) * magnitudes;
}

/// In ULPs of max(|ref|, scale), the error of got beyond the slack.
template <class T>
ld excess_error(T got, const ref_gradient& r, std::size_t j) {
  const ld scale = std::max(std::fabs(r.dx[j]), r.scale[j]);
  return ulp_error(got, r.dx[j], scale) - r.slack[j] / ulp_of<T>(scale);
}

/// dx_j = y_j (dy_j - sum_i dy_i y_i) from the given y and dy, exactly but for the last bits
/// of q128 (exact_sum); no scale; slack y_j sum_error(sum_i |dy_i y_i|).
template <class T>
ref_gradient ref_softmax_backward(std::span<const T> y, std::span<const T> dy) {
  exact_sum dot;
  ld magnitudes = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    dot.add(q128(dy[i]) * q128(y[i]));
    magnitudes += std::fabs(static_cast<ld>(dy[i]) * y[i]);
  }
  const std::size_t n = y.size();
  ref_gradient r{std::vector<ld>(n), std::vector<ld>(n), std::vector<ld>(n)};
  for (std::size_t j = 0; j < n; ++j) {
    r.dx[j] = static_cast<ld>(q128(y[j]) * dot.from(dy[j]));
    r.slack[j] = y[j] * sum_error<T>(n, magnitudes);
  }
  return r;
}

/// dx_j = dy_j - exp(y_j) S, S = sum_i dy_i, from the given y and dy (exact_sum; expl and
/// expm1l within 2^-62 or so); scale |S| min(p_j, |1 - p_j|), p_j = exp(y_j) (exp's own
/// error); slack p_j sum_error(sum_i |dy_i|). For y_j > -ln 2 as (dy_j - S) - expm1(y_j) S, so
/// that the reference's own error (that of expm1l) is a fraction of the scale too.
template <class T>
ref_gradient ref_log_softmax_backward(std::span<const T> y, std::span<const T> dy) {
  exact_sum total;
  ld magnitudes = 0;
  for (T g : dy) {
    total.add(g);
    magnitudes += std::fabs(static_cast<ld>(g));
  }
  const q128 s = total.s + total.c;
  const std::size_t n = y.size();
  ref_gradient r{std::vector<ld>(n), std::vector<ld>(n), std::vector<ld>(n)};
  for (std::size_t j = 0; j < n; ++j) {
    const ld p = std::exp(static_cast<ld>(y[j])), m = std::expm1(static_cast<ld>(y[j]));
    const q128 dx = y[j] > -0.693147180559945309417L ? total.from(dy[j]) - q128(m) * s
                                                      : q128(dy[j]) - q128(p) * s;
    r.dx[j] = static_cast<ld>(dx);
    r.scale[j] = static_cast<ld>(q_abs(s)) * std::min(p, std::fabs(m));
    r.slack[j] = p * sum_error<T>(n, magnitudes);
  }
  return r;
}

/// The documented bounds of the backward passes (softmax.hpp), in the measure of excess_error.
constexpr ld softmax_backward_ulps = 2.5;
template <class T>
constexpr ld log_softmax_backward_ulps = std::is_same_v<T, float> ? 2.5 : 2;

/// Rows of 7 to 4096 elements: the tails and unrolled loops of every architecture, and long
/// rows whose sums run through many terms.
template <class T>
std::vector<std::size_t> cancelling_lengths() {
  std::vector<std::size_t> n = {7, 8, 2 * W<T> + 1, 8 * W<T> + 3, 100, 1000, 1023, 4096};
  std::erase_if(n, [](std::size_t c) { return c < 7; });
  return n;
}

/// v + k ulp(v), rounded to T (k steps of T away from v within v's binade); 0 stays 0.
template <class T>
T steps_from(T v, long k) {
  if (v == 0) return v;
  const int e = std::ilogb(v) - std::numeric_limits<T>::digits + 1;
  return static_cast<T>(static_cast<ld>(v) + std::ldexp(static_cast<ld>(k), e));
}

/// The largest error over the rows of a test, and where it occurred.
template <class T>
struct worst_error {
  ld error = 0;
  std::string where = "nowhere";
  void take(ld e, std::size_t cols, int kind, std::size_t j, T y, T dy, T dx, ld ref) {
    if (e <= error) return;
    error = e;
    char buf[200];
    std::snprintf(buf, sizeof buf, "cols %zu kind %d j %zu: y %.9g dy %.9g dx %.9g ref %.9Lg",
                  cols, kind, j, double(y), double(dy), double(dx), ref);
    where = buf;
  }
};

/// Rows on which softmax_backward's sum D = sum_i dy_i y_i cancels against dy_j, y = softmax(x)
/// for x uniform in [-spread, spread] (the long double reference rounded to T):
///   kind 0..3  dy_i = c + k_i ulp(c), c in [0.5, 2], |k_i| <= 0, 1, 16, 4096: D ~ c sum y_i;
///   kind 4     every third dy_i uniform in [-1, 1], the others t + k_i ulp(t), |k_i| <= 2,
///              t = their weighted mean, so D ~ t (dy_j agrees with D to the last bits for 2/3
///              of the row);
///   kind 5     as 4 with the first third in [-1000, 1000] less their weighted mean: t is tiny
///              and the sum's terms cancel among themselves as well.
template <class T>
std::vector<T> softmax_cancelling_dy(std::span<const T> y, int kind, std::mt19937_64& gen) {
  const std::size_t n = y.size();
  std::uniform_real_distribution<double> unit(-1, 1);
  std::vector<T> dy(n);
  if (kind < 4) {
    const long spread[] = {0, 1, 16, 4096};
    const T c = static_cast<T>(std::ldexp(1.0 + std::fabs(unit(gen)), -(kind % 2)));
    std::uniform_int_distribution<long> k(-spread[kind], spread[kind]);
    for (T& g : dy) g = steps_from(c, k(gen));
    return dy;
  }
  const double scale = kind == 4 ? 1 : 1000;
  ld wsum = 0, wdot = 0;
  for (std::size_t i = 0; i < n; i += 3) {
    dy[i] = static_cast<T>(scale * unit(gen));
    wsum += y[i];
    wdot += y[i] * static_cast<ld>(dy[i]);
  }
  if (kind == 5) {
    const ld mean = wdot / wsum;
    wdot = 0;
    for (std::size_t i = 0; i < n; i += 3) {
      dy[i] = static_cast<T>(dy[i] - mean);
      wdot += y[i] * static_cast<ld>(dy[i]);
    }
  }
  const T t = static_cast<T>(wdot / wsum);
  std::uniform_int_distribution<long> k(-2, 2);
  for (std::size_t i = 0; i < n; ++i)
    if (i % 3 != 0) dy[i] = steps_from(t, k(gen));
  return dy;
}

/// Rows on which log_softmax_backward's dy_j nearly equals exp(y_j) S, y = log_softmax(x) for
/// x uniform in [-spread, spread] (the long double reference rounded to T), p = exp(y):
///   kind 0  every third dy_i uniform in [-1, 1], the others p_j S0 + k_j ulp, |k_j| <= 2,
///           S0 = (the first third's sum) / (their share of sum p), so S ~ S0;
///   kind 1  as 0 with the first third in [-1000, 1000], the last of them minus the others'
///           sum: S is tiny, a sum that cancels to the rounding of that last entry;
///   kind 2  x_t raised to 3, 8 or 14 (float) / 30 (double) above the rest, so that p_t is
///           close to 1, and dy the gradient of a cross-entropy loss, -1 at t (kind 2) or
///           with label smoothing 0.1 (kind 3): dx_t = p_t - 1 + ...
template <class T>
std::vector<T> log_softmax_cancelling_dy(std::span<const T> y, int kind, std::mt19937_64& gen) {
  const std::size_t n = y.size();
  std::uniform_real_distribution<double> unit(-1, 1);
  std::vector<T> dy(n);
  if (kind >= 2) {
    const ld smooth = kind == 2 ? 0 : 0.1L;
    std::size_t t = 0;
    for (std::size_t i = 1; i < n; ++i)
      if (y[i] > y[t]) t = i;
    for (std::size_t i = 0; i < n; ++i)
      dy[i] = static_cast<T>(-smooth / static_cast<ld>(n) - (i == t ? 1 - smooth : 0));
    return dy;
  }
  const double scale = kind == 0 ? 1 : 1000;
  ld psum = 0, total = 0;
  for (std::size_t i = 0; i < n; i += 3) {
    dy[i] = static_cast<T>(scale * unit(gen));
    psum += std::exp(static_cast<ld>(y[i]));
    total += dy[i];
  }
  if (kind == 1) {  // the last of the first third cancels the others' sum to its rounding
    const std::size_t last = (n - 1) / 3 * 3;
    total -= dy[last];
    dy[last] = static_cast<T>(-total);
    total += dy[last];
  }
  const ld s0 = total / psum;
  std::uniform_int_distribution<long> k(-2, 2);
  for (std::size_t i = 0; i < n; ++i)
    if (i % 3 != 0)
      dy[i] = steps_from(static_cast<T>(std::exp(static_cast<ld>(y[i])) * s0), k(gen));
  return dy;
}

/// x uniform in [-spread, spread]; for raised > 0 its largest entry raised to max(x) + raised.
template <class T>
std::vector<T> logits(std::size_t n, double spread, double raised, std::uint64_t seed) {
  auto x = uniform<T>(n, -spread, spread, seed);
  if (raised > 0) {
    auto top = std::max_element(x.begin(), x.end());
    *top = static_cast<T>(*top + raised);
  }
  return x;
}

TEMPLATE_TEST_CASE("softmax_backward stays within its bound where the sum cancels against dy",
                   "[softmax][backward][cancelling]", float, double) {
  using T = TestType;
  worst_error<T> worst;
  std::mt19937_64 gen(7);
  for (std::size_t cols : cancelling_lengths<T>())
    for (double spread : {5.0, std::is_same_v<T, float> ? 30.0 : 200.0})
      for (int kind = 0; kind < 6; ++kind) {
        const std::size_t rows = 2;
        std::vector<T> y, dy;
        for (std::size_t r = 0; r < rows; ++r) {
          const auto x = logits<T>(cols, spread, 0, gen());
          const auto p = ref_softmax<T>(x);
          const std::vector<T> yr(p.begin(), p.end());
          const auto g = softmax_cancelling_dy<T>(yr, kind, gen);
          y.insert(y.end(), yr.begin(), yr.end());
          dy.insert(dy.end(), g.begin(), g.end());
        }
        std::vector<T> dx(y.size());
        actfn::softmax_backward(y, dy, dx, cols);
        for (std::size_t r = 0; r < rows; ++r) {
          const std::size_t o = r * cols;
          const auto want = ref_softmax_backward<T>(std::span<const T>(y).subspan(o, cols),
                                                    std::span<const T>(dy).subspan(o, cols));
          for (std::size_t j = 0; j < cols; ++j)
            worst.take(excess_error(dx[o + j], want, j), cols, kind, j, y[o + j], dy[o + j],
                       dx[o + j], want.dx[j]);
        }
      }
  CAPTURE(static_cast<double>(worst.error), worst.where);
  CHECK(worst.error <= softmax_backward_ulps);
}

TEMPLATE_TEST_CASE("log_softmax_backward stays within its bound where exp(y) sum cancels "
                   "against dy", "[softmax][backward][cancelling]", float, double) {
  using T = TestType;
  worst_error<T> worst;
  std::mt19937_64 gen(8);
  const double gaps[] = {3, 8, std::is_same_v<T, float> ? 14.0 : 30.0};
  for (std::size_t cols : cancelling_lengths<T>())
    for (double spread : {5.0, std::is_same_v<T, float> ? 30.0 : 200.0})
      for (int kind = 0; kind < 4; ++kind)
        for (double gap : std::span<const double>(gaps, kind < 2 ? 1 : 3)) {
          const std::size_t rows = 2;
          std::vector<T> y, dy;
          for (std::size_t r = 0; r < rows; ++r) {
            const auto x = logits<T>(cols, spread, kind < 2 ? 0 : gap, gen());
            const auto l = ref_log_softmax<T>(x);
            const std::vector<T> yr(l.begin(), l.end());
            const auto g = log_softmax_cancelling_dy<T>(yr, kind, gen);
            y.insert(y.end(), yr.begin(), yr.end());
            dy.insert(dy.end(), g.begin(), g.end());
          }
          std::vector<T> dx(y.size());
          actfn::log_softmax_backward(y, dy, dx, cols);
          for (std::size_t r = 0; r < rows; ++r) {
            const std::size_t o = r * cols;
            const auto want = ref_log_softmax_backward<T>(
                std::span<const T>(y).subspan(o, cols), std::span<const T>(dy).subspan(o, cols));
            for (std::size_t j = 0; j < cols; ++j)
              worst.take(excess_error(dx[o + j], want, j), cols, kind, j, y[o + j],
                         dy[o + j], dx[o + j], want.dx[j]);
          }
        }
  CAPTURE(static_cast<double>(worst.error), worst.where);
  CHECK(worst.error <= log_softmax_backward_ulps<T>);
}

TEMPLATE_TEST_CASE("log_softmax_backward keeps exp(y) S where exp(y) alone is subnormal",
                   "[softmax][backward]", float, double) {
  using T = TestType;
  // exp(y) below the smallest normal number times a large S is still a normal number: dx must
  // not lose it (nor its sign), whatever lane of a batch it sits in.
  const T far = std::is_same_v<T, float> ? T(-100) : T(-720);
  const T big = std::is_same_v<T, float> ? T(1e20) : T(1e100);
  for (std::size_t cols : {std::size_t(3), 2 * W<T> + 1}) {
    std::vector<T> y(cols, T(-1)), dy(cols, T(0)), dx(cols);
    y[cols - 1] = far;
    y[0] = far - T(3);
    dy[1] = big;
    dy[cols - 1] = T(0.25) * big;
    actfn::log_softmax_backward(y, dy, dx, cols);
    const auto want = ref_log_softmax_backward<T>(y, dy);
    for (std::size_t j : {std::size_t(0), cols - 1}) {
      CAPTURE(cols, j, dx[j], static_cast<double>(want.dx[j]));
      CHECK(excess_error(dx[j], want, j) <= log_softmax_backward_ulps<T>);
    }
  }
}

// ---- spans, in place, tails ------------------------------------------------------------------

TEMPLATE_TEST_CASE("rowwise softmax: in place gives the same bits as out of place", "[softmax]",
                   float, double) {
  using T = TestType;
  const std::size_t cols = 2 * W<T> + 1;
  const auto x = uniform<T>(3 * cols, -4, 4, 11);
  const auto dy = uniform<T>(3 * cols, -1, 1, 12);
  std::vector<T> y(x.size()), l(x.size()), dx(x.size()), dlx(x.size());
  actfn::softmax(x, y, cols);
  actfn::log_softmax(x, l, cols);
  actfn::softmax_backward(y, dy, dx, cols);
  actfn::log_softmax_backward(l, dy, dlx, cols);

  auto v = x;
  actfn::softmax(v, v, cols);
  CHECK(v == y);
  v = x;
  actfn::log_softmax(v, v, cols);
  CHECK(v == l);
  v = dy;
  actfn::softmax_backward(y, v, v, cols);  // dx over dy
  CHECK(v == dx);
  v = y;
  actfn::softmax_backward(v, dy, v, cols);  // dx over y
  CHECK(v == dx);
  v = dy;
  actfn::log_softmax_backward(l, v, v, cols);
  CHECK(v == dlx);
  v = l;
  actfn::log_softmax_backward(v, dy, v, cols);
  CHECK(v == dlx);
}

TEMPLATE_TEST_CASE("rowwise softmax touches nothing outside the spans, for every tail",
                   "[softmax]", float, double) {
  using T = TestType;
  const T sentinel = T(-12345.5);
  for (std::size_t cols = 1; cols <= 2 * W<T> + 1; ++cols) {
    const auto x = uniform<T>(2 * cols, -4, 4, cols);
    const auto dy = uniform<T>(2 * cols, -1, 1, cols + 50);
    std::vector<T> buf(2 * cols + 2, sentinel), y(2 * cols);
    std::span<T> inner(buf.data() + 1, 2 * cols);
    auto check_guards = [&] {
      CAPTURE(cols);
      CHECK(buf.front() == sentinel);
      CHECK(buf.back() == sentinel);
    };
    actfn::softmax(x, inner, cols);
    check_guards();
    actfn::softmax(x, y, cols);
    CHECK(std::equal(inner.begin(), inner.end(), y.begin()));
    actfn::log_softmax(x, inner, cols);
    check_guards();
    actfn::softmax_backward(y, dy, inner, cols);
    check_guards();
    actfn::log_softmax_backward(y, dy, inner, cols);
    check_guards();
  }
}

TEMPLATE_TEST_CASE("rowwise softmax: any contiguous range, any architecture, empty buffers",
                   "[softmax]", float, double) {
  using T = TestType;
  const std::array<T, 4> x = {T(0.5), T(-1), T(2), T(0)};
  std::array<T, 4> y{};
  std::vector<T> v(4);
  actfn::softmax(x, std::span<T>(y), 4);
  actfn::softmax<other_arch>(std::span<const T>(x), v, 4);
  const auto want = ref_softmax<T>(x);
  for (std::size_t j = 0; j < 4; ++j) {
    check_close(y[j], want[j], softmax_ulps<T>);
    check_close(v[j], want[j], softmax_ulps<T>);
  }
  std::vector<T> empty;
  CHECK_NOTHROW(actfn::softmax(empty, empty, 3));
  CHECK_NOTHROW(actfn::log_softmax(empty, empty, 1));
  CHECK_NOTHROW(actfn::softmax_backward(empty, empty, empty, 7));
  CHECK_NOTHROW(actfn::log_softmax_backward(empty, empty, empty, 2));
}

// ---- bad arguments ---------------------------------------------------------------------------

TEMPLATE_TEST_CASE("rowwise softmax refuses bad sizes and partial overlap", "[softmax][errors]",
                   float, double) {
  using T = TestType;
  std::vector<T> x(6, T(1)), y(6), short_y(5), dy(6, T(1)), dx(6);
  CHECK_THROWS_WITH(actfn::softmax(x, y, 0),
                    Contains("actfn::softmax") && Contains("cols must be > 0"));
  CHECK_THROWS_WITH(actfn::log_softmax(x, y, 4),
                    Contains("actfn::log_softmax") && Contains("x has 6 elements") &&
                        Contains("cols = 4"));
  CHECK_THROWS_WITH(actfn::softmax(x, short_y, 3),
                    Contains("x has 6 elements but y has 5"));
  CHECK_THROWS_WITH(actfn::log_softmax(x, short_y, 3),
                    Contains("x has 6 elements but y has 5"));
  CHECK_THROWS_WITH(actfn::softmax(std::span<const T>(x).first(4), std::span<T>(x).subspan(2), 2),
                    Contains("partly overlap"));
  CHECK_THROWS_WITH(actfn::softmax_backward(y, dy, dx, 0),
                    Contains("actfn::softmax_backward") && Contains("cols must be > 0"));
  CHECK_THROWS_WITH(actfn::log_softmax_backward(y, dy, dx, 5),
                    Contains("actfn::log_softmax_backward") && Contains("y has 6 elements") &&
                        Contains("cols = 5"));
  CHECK_THROWS_WITH(actfn::softmax_backward(y, short_y, dx, 3),
                    Contains("y has 6 elements but dy has 5"));
  CHECK_THROWS_WITH(actfn::log_softmax_backward(y, dy, short_y, 3),
                    Contains("y has 6 elements but dx has 5"));
  std::vector<T> big(12, T(0.5));
  CHECK_THROWS_WITH(actfn::softmax_backward(std::span<const T>(big).first(6), dy,
                                            std::span<T>(big).subspan(3, 6), 3),
                    Contains("y (6 elements) and dx (6 elements) partly overlap"));
  CHECK_THROWS_WITH(actfn::log_softmax_backward(y, std::span<const T>(big).first(6),
                                                std::span<T>(big).subspan(1, 6), 3),
                    Contains("dy (6 elements) and dx (6 elements) partly overlap"));
}

// ---- the fast tier (actfn::fast_tier) ----------------------------------------------------------

TEST_CASE("fast softmax and log_softmax: within the fast contract on every row (float)",
          "[softmax][fast]") {
  // The contract, |y - ref| <= max(4 ulp(ref), 2^-22): ulp_error in ULPs of max(|ref|, 1/2)
  // at most 4 (fast_contract_ulp). Rows of every length up to 2W + 1, 8W + 3 and 1000, values
  // spread over [-s, s] for small and large s, and long rows dominated by one entry.
  using T = float;
  constexpr long double contract = 4;
  auto check = [&](const std::vector<T>& x, std::size_t cols, const char* what) {
    std::vector<T> y(x.size()), l(x.size());
    actfn::softmax(actfn::fast_tier, x, y, cols);
    actfn::log_softmax(actfn::fast_tier, x, l, cols);
    long double worst_y = 0, worst_l = 0;
    for (std::size_t r = 0; r < x.size(); r += cols) {
      const auto row = std::span<const T>(x).subspan(r, cols);
      const auto want = ref_softmax<T>(row), want_log = ref_log_softmax<T>(row);
      for (std::size_t j = 0; j < cols; ++j) {
        const long double ey = ulp_error<T>(y[r + j], want[j], 0.5L);
        const long double el = ulp_error<T>(l[r + j], want_log[j], 0.5L);
        worst_y = std::max(worst_y, ey);
        worst_l = std::max(worst_l, el);
        if (ey <= contract && el <= contract) continue;
        CAPTURE(what, cols, r, j, x[r + j], y[r + j], l[r + j]);
        CHECK(ey <= contract);
        CHECK(el <= contract);
      }
    }
    INFO(what << ": largest errors " << static_cast<double>(worst_y) << " (softmax), "
              << static_cast<double>(worst_l) << " (log_softmax)");
    CHECK(worst_y <= contract);
  };
  for (const double spread : {1.0, 10.0, 60.0, 1e4}) {
    for (const std::size_t cols : row_lengths<T>(1)) {
      CAPTURE(spread);
      check(uniform<T>(3 * cols, -spread, spread, cols + 17), cols, "uniform rows");
    }
  }
  std::vector<T> dominant = uniform<T>(4096, -30.0, -5.0, 99);
  dominant[1234] = T(2);
  check(dominant, dominant.size(), "a row dominated by one entry");
  std::vector<T> huge = uniform<T>(64, 1e30, 1.0000001e30, 5);
  check(huge, huge.size(), "huge values");
}

TEST_CASE("fast softmax and log_softmax: -inf, +inf and NaN as the precise tier",
          "[softmax][fast]") {
  using T = float;
  const T nan = std::numeric_limits<T>::quiet_NaN();
  const std::vector<T> x = {-inf<T>, T(1), T(2), -inf<T>, T(-3),            //
                            -inf<T>, -inf<T>, -inf<T>, -inf<T>, -inf<T>,  //
                            T(1), inf<T>, T(2), T(0), T(0),               //
                            T(1), nan, T(2), T(0), T(0)};
  std::vector<T> y(x.size()), l(x.size());
  actfn::softmax(actfn::fast_tier, x, y, 5);
  actfn::log_softmax(actfn::fast_tier, x, l, 5);
  CHECK(y[0] == T(0));
  CHECK(y[3] == T(0));
  CHECK(l[0] == -inf<T>);
  CHECK(l[3] == -inf<T>);
  // The finite entries as the row of them alone, within the fast contract.
  const std::vector<T> finite = {T(1), T(2), T(-3)};
  const auto want = ref_softmax<T>(finite), want_log = ref_log_softmax<T>(finite);
  const std::size_t at[] = {1, 2, 4};
  for (std::size_t k = 0; k < 3; ++k) {
    CAPTURE(k, y[at[k]], l[at[k]]);
    CHECK(ulp_error<T>(y[at[k]], want[k], 0.5L) <= 4);
    CHECK(ulp_error<T>(l[at[k]], want_log[k], 0.5L) <= 4);
  }
  for (std::size_t i = 5; i < x.size(); ++i) {
    CAPTURE(i, x[i]);
    CHECK(std::isnan(y[i]));
    CHECK(std::isnan(l[i]));
  }
}

TEMPLATE_TEST_CASE("fast tier: double and the backward passes are the precise results",
                   "[softmax][fast]", float, double) {
  // The fast forward passes differ in float only; the backward passes are the precise code.
  using T = TestType;
  const std::size_t cols = 8 * W<T> + 3;
  const auto x = uniform<T>(2 * cols, -8.0, 8.0, 3);
  const auto dy = uniform<T>(2 * cols, -2.0, 2.0, 4);
  std::vector<T> y(x.size()), l(x.size()), a(x.size()), b(x.size());
  actfn::softmax(x, y, cols);
  actfn::log_softmax(x, l, cols);
  if constexpr (std::is_same_v<T, double>) {
    actfn::softmax(actfn::fast_tier, x, a, cols);
    actfn::log_softmax(actfn::fast_tier, x, b, cols);
    for (std::size_t i = 0; i < x.size(); ++i) {
      CHECK(same_bits(a[i], y[i]));
      CHECK(same_bits(b[i], l[i]));
    }
  }
  actfn::softmax_backward(y, dy, a, cols);
  actfn::softmax_backward(actfn::fast_tier, y, dy, b, cols);
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(same_bits(a[i], b[i]));
  actfn::log_softmax_backward(l, dy, a, cols);
  actfn::log_softmax_backward(actfn::fast_tier, l, dy, b, cols);
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(same_bits(a[i], b[i]));
}
