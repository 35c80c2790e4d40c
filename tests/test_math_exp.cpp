// The kernels of include/actfn/math/exp.hpp (exp, expm1, exp_times), on this build's architecture,
// against independent references: std::exp in double for float results (correctly rounded to
// far below a float ULP) and std::exp in long double for double results, measured in ULPs of the
// result type by support/ulp.hpp's ulp_error, except that exp and exp_fast flush results below
// the smallest normal number by design (the activations use exp_times there): kernel_error
// counts a result within the smallest normal number of such a reference as met; garbage is not.
//
// Float: a strided sweep over all 2^32 bit patterns (about 2^20 of them), every input exponent
// boundary, every point where the reduction's integer n or the result's exponent changes, the
// overflow and underflow edges and the special values. Double: sampled over the whole range of
// normal results and at the same kinds of edges. The bounds are the measured worst errors
// (exp.hpp's top comment), rounded up a little: the float figure on FMA architectures is the
// exhaustive maximum over all 2^32 inputs.
#include <actfn/math/exp.hpp>
#include <catch2/catch.hpp>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "support/inputs.hpp"
#include "support/reference.hpp"
#include "support/ulp.hpp"

using actfn_test::ld;

namespace {

/// ulp_error, with the kernels' flushing below the normal range allowed (see the top).
template <class T, class R>
R kernel_error(T got, R ref) {
  if (std::fabs(ref) < std::numeric_limits<T>::min() &&
      std::fabs(static_cast<R>(got) - ref) <= std::numeric_limits<T>::min())
    return R(0);
  return actfn_test::ulp_error<T, R>(got, ref);
}

}  // namespace

namespace {

/// Measured worst errors, rounded up (exp.hpp's top comment).
constexpr double k_f32_bound_fma = 0.55;     // exhaustive: 0.5441 (AVX-512, AVX2)
constexpr double k_f32_bound_no_fma = 0.60;  // exhaustive on SSE2: 0.5730
constexpr double k_f64_bound = 0.65;         // sampled against expl: 0.575 (AVX-512), 0.601 (SSE2)

/// The kernels under test, each with its reference in the precision that measures T (double
/// for float, long double for double), its bound and the sign its results must have.
struct exp_kernel {
  static constexpr const char* name = "exp";
  template <class B> static B apply(B x) { return actfn::math::exp(x); }
  template <class R> static R reference(R x) { return actfn_test::ref_exp<R>(x); }
  template <class T, class A> static double bound() {
    if constexpr (sizeof(T) == 8) return k_f64_bound;
    return actfn::math::has_fma<A> ? k_f32_bound_fma : k_f32_bound_no_fma;
  }
  template <class T> static bool sign_ok(T x, T y) { return !(y < 0) || std::isnan(x); }
};

/// expm1 (measured with these sweeps: float 0.60 / 0.70 ULP with / without FMA, double up to
/// 0.91: Q is fitted for exp's relative error, which expm1 magnifies where it is small).
struct expm1_kernel {
  static constexpr const char* name = "expm1";
  template <class B> static B apply(B x) { return actfn::math::expm1(x); }
  template <class R> static R reference(R x) { return std::expm1(x); }
  template <class T, class A> static double bound() {
    if constexpr (sizeof(T) == 8) return 1.0;
    return 0.75;
  }
  template <class T> static bool sign_ok(T x, T y) {
    return !(x < 0 && y > 0) && !(x > 0 && y < 0);  // the sign of x (of a = x for exp_times)
  }
};

/// exp_times(x, x) = x exp(x): exp's m rounded, then the product (measured with these sweeps:
/// up to 1.42 ULP), also where exp(x) alone is below the normal range.
struct x_exp_kernel {
  static constexpr const char* name = "exp_times(x, x)";
  template <class B> static B apply(B x) { return actfn::math::exp_times(x, x); }
  template <class R> static R reference(R x) {
    return x == 0 || std::isnan(x) ? x : x < -100000 ? R(0) * x : x * actfn_test::ref_exp<R>(x);
  }
  template <class T, class A> static double bound() { return 1.5; }
  template <class T> static bool sign_ok(T x, T y) {
    return !(x < 0 && y > 0) && !(x > 0 && y < 0);  // the sign of x (of a = x for exp_times)
  }
};

/// exp_fast: exp_in_range where every lane has |x| < 87.3 (float) / 708.3 (double), exp
/// elsewhere. The cheap float kernel with FMA measured 0.89 ULP over all floats in range
/// (AVX2); otherwise it is exp's own.
struct exp_fast_kernel {
  static constexpr const char* name = "exp_fast";
  template <class B> static B apply(B x) { return actfn::math::exp_fast(x); }
  template <class R> static R reference(R x) { return actfn_test::ref_exp<R>(x); }
  template <class T, class A> static double bound() {
    if constexpr (sizeof(T) == 4 && actfn::math::has_fma<A>) return 0.9;
    return exp_kernel::bound<T, A>();
  }
  template <class T> static bool sign_ok(T x, T y) { return exp_kernel::sign_ok(x, y); }
};

/// exp_fast<exp_use::derivative>: the same with the shorter polynomial where float has FMA,
/// measured 2.181 ULP over all floats in range (elu' at alpha = 1, actfn_ulp_avx512 and
/// actfn_ulp_avx2 --exhaustive); otherwise exp_fast's own.
struct exp_fast_derivative_kernel {
  static constexpr const char* name = "exp_fast<derivative>";
  template <class B> static B apply(B x) {
    return actfn::math::exp_fast<actfn::math::exp_use::derivative>(x);
  }
  template <class R> static R reference(R x) { return actfn_test::ref_exp<R>(x); }
  template <class T, class A> static double bound() {
    if constexpr (sizeof(T) == 4 && actfn::math::has_fma<A>) return 2.2;
    return exp_fast_kernel::bound<T, A>();
  }
  template <class T> static bool sign_ok(T x, T y) { return exp_kernel::sign_ok(x, y); }
};

/// expm1_fast over x <= 0 (its domain): the cheap float kernel with FMA measured 0.94 ULP over
/// all floats in (-87.3, 0] (AVX2); otherwise expm1's own.
struct expm1_fast_kernel {
  static constexpr const char* name = "expm1_fast";
  template <class B> static B apply(B x) { return actfn::math::expm1_fast(x); }
  template <class R> static R reference(R x) { return std::expm1(x); }
  template <class T, class A> static double bound() {
    if constexpr (sizeof(T) == 4 && actfn::math::has_fma<A>) return 0.95;
    return expm1_kernel::bound<T, A>();
  }
  template <class T> static bool sign_ok(T x, T y) { return expm1_kernel::sign_ok(x, y); }
};

/// Appends v and its k nearest neighbours on each side.
template <class T>
void push_around(std::vector<T>& out, T v, int k) {
  const std::vector<T> near = actfn_test::around(v, k);
  out.insert(out.end(), near.begin(), near.end());
}

/// Runs kernel K over xs on this build's architecture (xsimd's default: the test executables
/// are built for sse2, avx2 and avx512, which covers the kernel without FMA, with FMA3 and on
/// AVX-512) and checks each lane against its reference: within the bound, of the right sign,
/// NaN only for NaN; the first failure is reported.
template <class K = exp_kernel, class T>
void check_all(const std::vector<T>& xs) {
  using R = actfn_test::wide<T>;
  std::vector<R> refs(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) refs[i] = K::reference(static_cast<R>(xs[i]));
  [&] {
    using A = xsimd::default_arch;
    using B = xsimd::batch<T, A>;
    const double bound = K::template bound<T, A>();
    double worst = 0;
    T worst_x = 0;
    alignas(A::alignment()) T lanes[B::size];
    alignas(A::alignment()) T out[B::size];
    for (std::size_t i = 0; i < xs.size(); i += B::size) {
      for (std::size_t k = 0; k < B::size; ++k) lanes[k] = xs[(i + k) % xs.size()];
      K::apply(B::load_aligned(lanes)).store_aligned(out);
      for (std::size_t k = 0; k < B::size; ++k) {
        const R ref = refs[(i + k) % xs.size()];
        const double err = static_cast<double>(kernel_error<T, R>(out[k], ref));
        if (err > worst) {
          worst = err;
          worst_x = lanes[k];
        }
        const bool sign_ok = K::sign_ok(lanes[k], out[k]);
        if (err <= bound && sign_ok && std::isnan(out[k]) == std::isnan(lanes[k])) continue;
        INFO(K::name << ", " << A::name() << ": x = " << lanes[k] << " (" << std::hexfloat
                     << lanes[k] << std::defaultfloat << "), result " << out[k] << ", reference "
                     << static_cast<double>(ref) << ", error " << err << " ULP");
        CHECK(err <= bound);
        CHECK(sign_ok);
        CHECK(std::isnan(out[k]) == std::isnan(lanes[k]));
        return;  // one report is enough
      }
    }
    UNSCOPED_INFO(K::name << ", " << A::name() << ": worst " << worst << " ULP at x = "
                          << worst_x);
    CHECK(worst <= bound);
  }();
}

}  // namespace

TEST_CASE("exp, float: strided sweep over all bit patterns", "[exp]") {
  // 4093 (a prime, so every exponent and every low-bit pattern is visited) gives 2^20 inputs:
  // finite ones, both infinities and NaNs alike.
  std::vector<float> xs;
  xs.reserve((std::uint64_t{1} << 32) / 4093 + 1);
  for (std::uint64_t b = 0; b < (std::uint64_t{1} << 32); b += 4093) {
    xs.push_back(std::bit_cast<float>(static_cast<std::uint32_t>(b)));
  }
  check_all(xs);
}

TEMPLATE_TEST_CASE("exp: input exponent boundaries and the points where the reduction or the "
                   "result's exponent changes",
                   "[exp]", float, double) {
  using T = TestType;
  using lim = std::numeric_limits<T>;
  std::vector<T> xs;
  // +-2^e with neighbours, for every exponent (subnormal inputs included): covers exp(x) = 1 +
  // x for tiny x, where the result rounds to 1 or its neighbours.
  for (int e = lim::min_exponent - lim::digits; e < lim::max_exponent; ++e) {
    push_around(xs, std::ldexp(T(1), e), 2);
    push_around(xs, -std::ldexp(T(1), e), 2);
  }
  // k ln 2 (the result crosses 2^k) and (k + 1/2) ln 2 (n changes, |r| is largest), from where
  // results leave the normal range to where they overflow.
  const ld ln2 = 0.693147180559945309417232121458176568L;
  for (int k = lim::min_exponent - 2; k <= lim::max_exponent; ++k) {
    push_around(xs, static_cast<T>(k * ln2), 3);
    push_around(xs, static_cast<T>((k + 0.5L) * ln2), 3);
  }
  check_all(xs);
}

TEMPLATE_TEST_CASE("exp: overflow and underflow edges, special values", "[exp]", float, double) {
  using T = TestType;
  using lim = std::numeric_limits<T>;
  using K = actfn::math::exp_detail::constants<T>;
  std::vector<T> xs;
  // The kernel's own thresholds (the last x with a finite result, the first with a normal one),
  // the natural ones, where results become subnormal and where they round to 0.
  const ld ln2 = 0.693147180559945309417232121458176568L;
  for (const T v : {T(K::highest), T(K::lowest), static_cast<T>(lim::max_exponent * ln2),
                    static_cast<T>((lim::min_exponent - 1) * ln2),
                    static_cast<T>((lim::min_exponent - lim::digits - 1) * ln2),
                    static_cast<T>(std::log(static_cast<ld>(lim::max())))}) {
    push_around(xs, v, 16);
  }
  // Where the kernel stops skipping its special-case selects.
  push_around(xs, T(K::plain), 4);
  push_around(xs, T(-K::plain), 4);
  for (const T v : {T(0), -T(0), lim::denorm_min(), -lim::denorm_min(), lim::min(), -lim::min(),
                    lim::max(), lim::lowest(), T(1e30), T(-1e30), T(200), T(-200), T(1000),
                    T(-1000), T(1), T(-1), lim::infinity(), -lim::infinity(), lim::quiet_NaN(),
                    -lim::quiet_NaN()}) {
    xs.push_back(v);
  }
  check_all(xs);

  // The exact values at the specials, on the widest architecture.
  using B = xsimd::batch<T>;
  const auto at = [](T x) { return actfn::math::exp(B(x)).get(0); };
  CHECK(at(lim::infinity()) == lim::infinity());
  CHECK(at(lim::max()) == lim::infinity());
  CHECK(at(T(K::highest)) < lim::infinity());
  CHECK(at(std::nextafter(T(K::highest), lim::infinity())) == lim::infinity());
  CHECK(at(T(K::lowest)) >= lim::min());
  CHECK(at(-lim::infinity()) == T(0));
  CHECK_FALSE(std::signbit(at(-lim::infinity())));
  CHECK(at(lim::lowest()) == T(0));
  CHECK(at(T(0)) == T(1));
  CHECK(at(-T(0)) == T(1));
  CHECK(std::isnan(at(lim::quiet_NaN())));
  CHECK(std::isnan(at(-lim::quiet_NaN())));
}

TEST_CASE("exp, double: sampled over the range of normal results", "[exp]") {
  // Uniform over [-709, 709.8] and over [-1, 1], log-uniform magnitudes down to 2^-60, and
  // uniform in the 2^-20-wide neighbourhoods of a few hundred k ln 2 (where |r| is smallest).
  std::mt19937_64 gen(7);
  std::vector<double> xs;
  std::uniform_real_distribution<double> wide(-709.0, 709.8), unit(-1.0, 1.0), lg(-60.0, 0.0);
  for (int i = 0; i < 100000; ++i) xs.push_back(wide(gen));
  for (int i = 0; i < 30000; ++i) xs.push_back(unit(gen));
  for (int i = 0; i < 20000; ++i) xs.push_back((i % 2 ? 1 : -1) * std::exp2(lg(gen)));
  std::uniform_int_distribution<int> k(-1021, 1023);
  for (int i = 0; i < 20000; ++i) {
    xs.push_back(static_cast<double>(k(gen) * 0.693147180559945309417232121458176568L) +
                 unit(gen) * 0x1p-20);
  }
  check_all(xs);
}

TEMPLATE_TEST_CASE("expm1 and exp_times(x, x): sampled and at the edges", "[exp]", float, double) {
  using T = TestType;
  using lim = std::numeric_limits<T>;
  using K = actfn::math::exp_detail::constants<T>;
  std::vector<T> xs;
  if constexpr (sizeof(T) == 4) {
    for (std::uint64_t b = 0; b < (std::uint64_t{1} << 32); b += 4093) {
      xs.push_back(std::bit_cast<float>(static_cast<std::uint32_t>(b)));
    }
  } else {
    std::mt19937_64 gen(11);
    std::uniform_real_distribution<double> wide(-1500.0, 709.0), unit(-2.0, 2.0), lg(-60.0, 0.0);
    for (int i = 0; i < 50000; ++i) xs.push_back(wide(gen));
    for (int i = 0; i < 50000; ++i) xs.push_back(unit(gen));
    for (int i = 0; i < 20000; ++i) xs.push_back((i % 2 ? 1 : -1) * std::exp2(lg(gen)));
  }
  // expm1's switches (x = +-20 / +-40), the points where n changes, where exp_times' product
  // leaves the normal range (x exp(x) = smallest normal) and its clamp at 2 lowest.
  const ld ln2 = 0.693147180559945309417232121458176568L;
  for (int k = -6; k <= 6; ++k) push_around(xs, static_cast<T>((k + 0.5L) * ln2), 3);
  for (const T v : {T(20), T(-20), T(40), T(-40), T(K::lowest), T(2 * K::lowest), T(-90),
                    T(-100), T(-745), T(-740)}) {
    push_around(xs, v, 8);
  }
  for (const T v : {T(0), -T(0), lim::denorm_min(), -lim::denorm_min(), lim::min(), -lim::min(),
                    lim::max(), lim::lowest(), lim::infinity(), -lim::infinity(),
                    lim::quiet_NaN()}) {
    xs.push_back(v);
  }
  std::vector<T> below_overflow;  // exp_times(a, x) needs a exp(x) finite and a finite
  for (const T x : xs) {
    if (!(x > T(K::highest) - 5) && x != -lim::infinity()) below_overflow.push_back(x);
  }
  check_all<expm1_kernel>(xs);
  check_all<x_exp_kernel>(below_overflow);

  using B = xsimd::batch<T>;
  CHECK(actfn::math::expm1(B(-lim::infinity())).get(0) == T(-1));
  CHECK(actfn::math::expm1(B(lim::infinity())).get(0) == lim::infinity());
  CHECK(std::signbit(actfn::math::expm1(B(-T(0))).get(0)));
  CHECK(actfn::math::exp_times(B(T(-3)), B(-lim::infinity())).get(0) == T(0));
}

TEMPLATE_TEST_CASE("exp_fast and expm1_fast (x <= 0): sampled, at the range test's edge and "
                   "beyond it", "[exp]", float, double) {
  using T = TestType;
  using lim = std::numeric_limits<T>;
  using K = actfn::math::exp_detail::constants<T>;
  std::vector<T> xs;
  if constexpr (sizeof(T) == 4) {
    for (std::uint64_t b = 0; b < (std::uint64_t{1} << 32); b += 4093) {
      xs.push_back(std::bit_cast<float>(static_cast<std::uint32_t>(b)));
    }
  } else {
    std::mt19937_64 gen(12);
    std::uniform_real_distribution<double> wide(-1500.0, 709.0), unit(-2.0, 2.0);
    for (int i = 0; i < 50000; ++i) xs.push_back(wide(gen));
    for (int i = 0; i < 50000; ++i) xs.push_back(unit(gen));
  }
  const ld ln2 = 0.693147180559945309417232121458176568L;
  for (int k = -6; k <= 6; ++k) push_around(xs, static_cast<T>((k + 0.5L) * ln2), 3);
  for (const T v : {T(K::plain), T(-K::plain), T(K::lowest), T(K::highest), T(-20), T(-40)}) {
    push_around(xs, v, 8);
  }
  for (const T v : {T(0), -T(0), lim::denorm_min(), lim::min(), lim::max(), lim::lowest(),
                    lim::infinity(), -lim::infinity(), lim::quiet_NaN()}) {
    xs.push_back(v);
  }
  check_all<exp_fast_kernel>(xs);
  check_all<exp_fast_derivative_kernel>(xs);
  std::vector<T> nonpositive;
  for (const T x : xs) nonpositive.push_back(std::isnan(x) ? x : -std::fabs(x));
  check_all<expm1_fast_kernel>(nonpositive);
}

TEMPLATE_TEST_CASE("exp_in_range(x, lo): exp(a - b) from the rounded difference and its error, "
                   "whatever the size of a and b",
                   "[exp]", float, double) {
  // x = a - b rounded and lo its exact error (two-sum, written out here), for a and b up to
  // 10^4 apart from each other's size and their difference in (-87.3, 87.3): x alone would be
  // off by up to half an ULP of a, which exp turns into a relative error many ULPs wide.
  // Reference: exp(a - b) in the wide type, where a - b is exact. Bound: exp_in_range's own
  // error plus the rounding that lo's addition (float with FMA) or product (elsewhere) adds,
  // measured with this sample at 0.86 ULP (float, AVX2), 1.12 (float, SSE2, where the product
  // rounds twice) and 1.04 (double), rounded up.
  using T = TestType;
  using R = actfn_test::wide<T>;
  using A = xsimd::default_arch;
  using B = xsimd::batch<T, A>;
  std::mt19937_64 gen(31);
  std::uniform_real_distribution<double> base(-10000.0, 10000.0), gap(-87.2, 87.2);
  const double bound = sizeof(T) == 4 && actfn::math::has_fma<A> ? 0.9 : 1.25;
  double worst = 0;
  for (int i = 0; i < 200000; ++i) {
    const T b = static_cast<T>(i % 4 == 0 ? base(gen) / 1000 : base(gen));
    const T a = static_cast<T>(static_cast<double>(b) + gap(gen));
    const T x = a - b;
    const T a_part = x + b, b_part = a_part - x;
    const T lo = (a - a_part) - (b - b_part);
    const R want = actfn_test::ref_exp<R>(static_cast<R>(a) - static_cast<R>(b));
    const T got = actfn::math::exp_in_range(B(x), B(lo)).get(0);
    const double err = static_cast<double>(kernel_error<T, R>(got, want));
    worst = std::max(worst, err);
    if (err <= bound) continue;
    INFO(A::name() << ": a = " << a << ", b = " << b << ", result " << got << ", reference "
                   << static_cast<double>(want) << ", error " << err << " ULP");
    REQUIRE(err <= bound);
  }
  INFO(A::name() << ": worst " << worst << " ULP");
  CHECK(worst <= bound);
  CHECK(worst > 0);  // the sample reaches rounded results
}
