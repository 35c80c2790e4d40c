// The accuracy machinery, checked on its own: the ULP measure (support/ulp.hpp), the
// references (support/reference.hpp) and the documented windows around derivative zero
// crossings (docs/accuracy.md).
//
// The sweeps themselves (every function of the catalogue, forward value and derivative, float
// and double, against these references, failing when F::bound is exceeded) are the program
// tools/ulp_sweep.cpp, which ctest runs in its sampled mode for every instruction set and
// function (tests <isa>:<function>:ulp_sampled_f32 and _f64); its exhaustive mode covers all
// 2^32 float inputs. Both use exactly the functions checked here.
#include <actfn/catalogue.hpp>
#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include "support/catalogue_cases.hpp"
#include "support/reference.hpp"
#include "support/ulp.hpp"

using namespace actfn_test;

namespace {

constexpr float finf = std::numeric_limits<float>::infinity();

/// Float inputs spread over all bit patterns (every sign and exponent) plus a dense stretch of
/// [-8, 8] where the functions bend; no NaN.
std::vector<float> float_sample() {
  std::vector<float> xs;
  for (std::uint64_t b = 977; b < (std::uint64_t{1} << 32); b += 65521) {
    const float x = std::bit_cast<float>(static_cast<std::uint32_t>(b));
    if (!std::isnan(x)) xs.push_back(x);
  }
  for (int k = -8 * 256; k <= 8 * 256; ++k) xs.push_back(static_cast<float>(k) / 256 + 0x1p-11f);
  return xs;
}

}  // namespace

TEST_CASE("ulp_error measures in ULPs of the correctly rounded reference", "[accuracy][measure]") {
  using Catch::Matchers::WithinAbs;
  const ld one = 1;
  // Exact, one ULP, half an ULP (a tie that rounds to 1).
  CHECK(ulp_error<float>(1.0f, one) == 0);
  CHECK(ulp_error<float>(std::nextafter(1.0f, 2.0f), one) == 1);
  CHECK(ulp_error<float>(1.0f, one + 0x1p-24L) == 0.5L);
  CHECK(ulp_error<double>(std::nextafter(1.0, 0.0), one) == 0.5L);  // in ULPs of the reference (1)...
  CHECK(ulp_error<double>(1.0, one - 0x1p-53L) == 1);               // ...which are finer below 1
  // A reference that rounds up into the next binade is measured in that binade's ULPs.
  const ld below_two = 2 - 0x1p-26L;
  CHECK(static_cast<float>(below_two) == 2.0f);
  CHECK_THAT(static_cast<double>(ulp_error<float>(std::nextafter(2.0f, 0.0f), below_two)), WithinAbs(7.0 / 16, 0));
  // Relative: the same relative error costs the same ULPs at any scale.
  CHECK(ulp_error<float>(0x1p-100f * std::nextafter(1.0f, 2.0f), 0x1p-100L) == 1);
  // The same figures computed in double (how the tool measures float).
  CHECK(ulp_error<float, double>(std::nextafter(1.0f, 2.0f), 1.0) == 1);
  CHECK(ulp_error<float, double>(1.0f, 1.0 + 0x1p-24) == 0.5);
  // A larger scale (derivative windows): ULPs of 1/4 instead of the value's own.
  CHECK(ulp_error<float>(0x1p-10f + 0x1p-25f, 0x1p-10L, 0.25L) == 1);
  CHECK(ulp_error<float>(0x1p-10f + 0x1p-25f, 0x1p-10L) == 0x1p+8L);
}

TEST_CASE("ulp_error: subnormal results, zeros, overflow and NaN", "[accuracy][measure]") {
  constexpr float fmin = std::numeric_limits<float>::min();
  constexpr float tiny = std::numeric_limits<float>::denorm_min();  // 2^-149
  // Below the normal range the unit is the spacing of the subnormal numbers, 2^-149.
  CHECK(ulp_error<float>(tiny, static_cast<ld>(tiny)) == 0);
  CHECK(ulp_error<float>(3 * tiny, static_cast<ld>(tiny)) == 2);
  CHECK(ulp_error<float>(0.0f, static_cast<ld>(tiny) / 2) == 0.5L);
  CHECK(ulp_error<float>(0.0f, 1e-40L) == 1e-40L / 0x1p-149L);  // a flushed result is far off
  CHECK(ulp_error<float>(fmin, static_cast<ld>(fmin) - 0x1p-149L) == 1);
  // A zero of the function: exact zero is exact, a tiny normal number is not.
  CHECK(ulp_error<float>(0.0f, 0.0L) == 0);
  CHECK(ulp_error<float>(-0.0f, 0.0L) == 0);
  CHECK(ulp_error<float>(1e-30f, 0.0L) > 1e6L);
  // The reference overflows float: only the same infinity meets it.
  CHECK(ulp_error<float>(finf, 1e39L) == 0);
  CHECK(std::isinf(ulp_error<float>(std::numeric_limits<float>::max(), 1e39L)));
  CHECK(std::isinf(ulp_error<float>(-finf, 1e39L)));
  CHECK(std::isinf(ulp_error<float>(finf, 1.0L)));
  // NaN meets NaN only.
  const ld nan = std::numeric_limits<ld>::quiet_NaN();
  CHECK(ulp_error<float>(std::numeric_limits<float>::quiet_NaN(), nan) == 0);
  CHECK(std::isinf(ulp_error<float>(0.0f, nan)));
  CHECK(std::isinf(ulp_error<double>(std::numeric_limits<double>::quiet_NaN(), 1.0L)));
}

ACTFN_CATALOGUE_TEST_CASE("double references agree with long double ones far below a float ULP",
                          "[accuracy][reference]") {
  // The claim of reference.hpp that lets the tool measure float against double.
  const TestType f{};
  double worst_f = 0, worst_d = 0;
  float at_f = 0, at_d = 0;
  auto gap = [](ld lo_prec, ld hi_prec, ld scale) -> double {
    if (std::isinf(hi_prec) || std::isinf(static_cast<float>(hi_prec)))
      return lo_prec == hi_prec || static_cast<float>(lo_prec) == static_cast<float>(hi_prec) ? 0 : 1e9;
    if (std::fabs(hi_prec) < std::numeric_limits<float>::min() && scale == 0) return 0;  // subnormal rule
    return static_cast<double>(std::fabs(lo_prec - hi_prec) / ulp_of<float>(std::max(std::fabs(hi_prec), scale)));
  };
  for (const float x : float_sample()) {
    const double gf = gap(reference<TestType, double>::f(f, x), reference<TestType, ld>::f(f, x), 0);
    const double gd = gap(reference<TestType, double>::df(f, x), reference<TestType, ld>::df(f, x),
                          derivative_scale<TestType, ld>(f, x));
    if (gf > worst_f) worst_f = gf, at_f = x;
    if (gd > worst_d) worst_d = gd, at_d = x;
  }
  INFO(TestType::name << ": f differs by " << worst_f << " float ULP at x = " << at_f << ", f' by " << worst_d
                      << " at x = " << at_d);
  CHECK(worst_f < 1e-3);
  CHECK(worst_d < 1e-3);
}

namespace {

/// 25-digit values computed independently (Python mpmath, 200-bit precision) at dyadic x, in the
/// places where the references take care: far tails where an exponent's argument must not be
/// rounded or the result is tiny, cancellation near the derivative's zero, tanhshrink near 0.
struct known {
  std::string_view function;
  ld x, f, df;
};
constexpr known known_values[] = {
    {"gelu", -37.5L, -1.727007378593233066435488e-306L, -6.476271143055812622971645e-305L},
    {"gelu", -20.125L, -4.4855820345995651671588e-89L, -9.027125116178305119950459e-88L},
    {"gelu", -5.5L, -0.000000104442593562382456611182L, -0.0000005733472398739924803491604L},
    {"gelu", -0.75L, -0.1699705142826511494952966L, 0.0007742782607648956283087645L},
    {"gelu", 3.25L, 3.24812466861223000711052L, 1.006017381143833478260465L},
    {"gelu_tanh", -20.25L, -8.852675589400316037154295e-271L, -7.907757768284761483599491e-269L},
    {"gelu_tanh", -9.625L, -4.798553532351743128610029e-34L, -1.023192563240242767800146e-32L},
    {"gelu_tanh", -0.75L, -0.1700394448343796958158558L, 0.001061743862585702342281723L},
    {"gelu_tanh", 2.5L, 2.484915733910001417920508L, 1.037951576212666182634176L},
    {"tanhshrink", 0.001953125L, 2.483523076085869895240444e-9L, 0.000003814687564369151926440173L},
    {"tanhshrink", 0.296875L, 0.008424787027260690798692673L, 0.08320352536401866486592306L},
    {"tanhshrink", -0.4990234375L, -0.03767464211113456465421324L, 0.2128427110067572251790746L},
    {"tanhshrink", 1.5L, 0.5948517463551335617576963L, 0.8192933610763514694025599L},
    {"mish", -700.5L, -4.189127381107173740091681e-302L, -4.183147184988533948885269e-302L},
    {"mish", -30.25L, -2.204536538985376626581035e-12L, -2.131659298027102027663451e-12L},
    {"mish", -1.1875L, -0.3088401591580981196607875L, 0.001321360866732989724710536L},
    {"mish", 5L, 4.999552077529405687320603L, 1.000800224832082592802844L},
    {"silu", -700.5L, -4.189127381107173740091681e-302L, -4.183147184988533948885269e-302L},
    {"silu", -100.25L, -2.904441078418173176715354e-42L, -2.875469097586071698643381e-42L},
    {"silu", -1.28125L, -0.2784636988415487892355646L, -0.0006055677866683445606886608L},
    {"tanh", 20.5L, 0.9999999999999999968742356L, 6.251528757339955052822726e-18L},
    {"tanh", -0.625L, -0.5545997223493822939990391L, 0.6924191479699880696307533L},
    {"tanh", 350.25L, 1.0L, 2.392078447455916482564843e-304L},
    {"sigmoid", -700.25L, 7.678723813110872211649887e-305L, 7.678723813110872211649887e-305L},
    {"sigmoid", -5.875L, 0.002800926967120973281391281L, 0.002793081775245827787649996L},
    {"sigmoid", 30.5L, 0.9999999999999432431476737L, 5.67568523263207819381559e-14L},
    {"elu", -700.75L, -1.0L, 4.657381420117245402442017e-305L},
    {"elu", -1.25L, -0.7134952031398098996751146L, 0.2865047968601901003248854L},
};

}  // namespace

ACTFN_CATALOGUE_TEST_CASE("references match independent high-precision values",
                          "[accuracy][reference]") {
  using Catch::Matchers::WithinRel;
  const TestType f{};
  for (const auto& k : known_values) {
    if (k.function != TestType::name) continue;
    INFO(k.function << " at x = " << static_cast<double>(k.x));
    // long double (measures double): within 2^-58 relative, 1/64 of a double ULP. f' near its
    // zero is compared in units of the summands there (that is what is measured).
    const ld scale = derivative_scale<TestType, ld>(f, k.x);
    const ld f_ld = reference<TestType, ld>::f(f, k.x), df_ld = reference<TestType, ld>::df(f, k.x);
    CHECK(std::fabs(f_ld - k.f) <= 0x1p-58L * std::fabs(k.f));
    CHECK(std::fabs(df_ld - k.df) <= 0x1p-58L * std::max(std::fabs(k.df), scale));
    // double (measures float): within 2^-45 relative, 1/2^21 of a float ULP.
    const double f_d = reference<TestType, double>::f(f, static_cast<double>(k.x));
    const double df_d = reference<TestType, double>::df(f, static_cast<double>(k.x));
    CHECK(std::fabs(f_d - k.f) <= 0x1p-45L * std::fabs(k.f));
    CHECK(std::fabs(df_d - k.df) <= 0x1p-45L * std::max(std::fabs(k.df), scale));
  }
}

namespace {

/// Checks one function's derivative window: f' changes sign inside it; every x of a fine grid
/// where the summands exceed 4 |f'| (more than 2 bits cancel) lies inside; at the window's ends
/// they still exceed 2 |f'| (the window is not wider than that rule needs, rounded out to 1/16).
template <class F>
void check_window(const F& f, ld lo, ld hi) {
  using ref = reference<F, ld>;
  INFO(F::name << " window [" << static_cast<double>(lo) << ", " << static_cast<double>(hi) << "]");
  CHECK(ref::in_window(f, lo));
  CHECK(ref::in_window(f, hi));
  CHECK(!ref::in_window(f, lo - 0x1p-20L));
  CHECK(!ref::in_window(f, hi + 0x1p-20L));
  CHECK(ref::df(f, lo) * ref::df(f, hi) < 0);
  CHECK(ref::terms(f, lo) > 2 * std::fabs(ref::df(f, lo)));
  CHECK(ref::terms(f, hi) > 2 * std::fabs(ref::df(f, hi)));
  for (ld x = -6; x <= 2; x += 0x1p-12L) {
    if (ref::terms(f, x) >= 4 * std::fabs(ref::df(f, x))) {
      INFO("x = " << static_cast<double>(x));
      REQUIRE(ref::in_window(f, x));
    }
    if (!ref::in_window(f, x)) REQUIRE(derivative_scale(f, x) == 0);
  }
}

}  // namespace

TEST_CASE("derivative windows enclose the cancellation around each zero crossing", "[accuracy][reference]") {
  const auto& zw = reference<actfn::swish, ld>::z_window;
  check_window(actfn::silu{}, zw.lo, zw.hi);
  check_window(actfn::swish{}, zw.lo, zw.hi);
  check_window(actfn::swish{2.0}, zw.lo / 2, zw.hi / 2);  // the window is in z = beta x
  check_window(actfn::gelu{}, reference<actfn::gelu, ld>::x_window.lo, reference<actfn::gelu, ld>::x_window.hi);
  check_window(actfn::gelu_tanh{}, reference<actfn::gelu_tanh, ld>::x_window.lo,
               reference<actfn::gelu_tanh, ld>::x_window.hi);
  check_window(actfn::mish{}, reference<actfn::mish, ld>::x_window.lo, reference<actfn::mish, ld>::x_window.hi);
  // Functions without a window are measured relatively everywhere, hardswish's zero included.
  CHECK(derivative_scale(actfn::hardswish{}, -1.5L) == 0);
  CHECK(derivative_scale(actfn::sigmoid{}, -80.0L) == 0);
  CHECK(derivative_error<float>(actfn::hardswish{}, std::nextafter(-1.5f, 0.0f), 0.0f) > 1e6);
}
