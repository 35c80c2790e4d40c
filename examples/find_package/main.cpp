// SPDX-License-Identifier: MIT
// A user's program built against an installed actfn: a few values against the C library's
// formulas; the exit code says whether all of them held.
#include <actfn/actfn.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

int failures = 0;

void expect_near(const char* what, double got, double want, double tolerance) {
  const bool ok = std::abs(got - want) <= tolerance * std::max(1.0, std::abs(want));
  std::printf("%-34s %.17g (expected %.17g) %s\n", what, got, want, ok ? "ok" : "WRONG");
  failures += !ok;
}

}  // namespace

int main() {
  const double x = 0.75;
  expect_near("relu(-2)", actfn::relu{}(-2.0), 0.0, 0.0);
  expect_near("sigmoid(0.75)", actfn::sigmoid{}(x), 1 / (1 + std::exp(-x)), 1e-15);
  expect_near("tanh(0.75)", actfn::tanh{}(x), std::tanh(x), 1e-15);
  expect_near("gelu(0.75)", actfn::gelu{}(x), x * std::erfc(-x / std::sqrt(2.0)) / 2, 1e-15);
  expect_near("softplus'(0.75)", actfn::softplus{}.derivative(x), 1 / (1 + std::exp(-x)), 1e-15);

  // Whole buffers, float.
  const std::vector<float> in = {-1.5f, -0.25f, 0.0f, 0.5f, 2.0f};
  std::vector<float> out(in.size());
  actfn::forward(actfn::elu{}, in, out);
  for (std::size_t i = 0; i < in.size(); ++i) {
    const double want = in[i] > 0 ? in[i] : std::expm1(double(in[i]));
    expect_near(("elu(" + std::to_string(in[i]) + "), float span").c_str(), out[i], want, 1e-6);
  }

  // A softmax row: exp(x_i) / sum_j exp(x_j).
  const std::vector<double> logits = {1.0, 2.0, 3.0};
  std::vector<double> p(logits.size());
  actfn::softmax(logits, p, logits.size());
  const double sum = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  for (std::size_t i = 0; i < logits.size(); ++i)
    expect_near(("softmax({1,2,3})[" + std::to_string(i) + "]").c_str(), p[i],
                std::exp(logits[i]) / sum, 1e-15);

  // Bad arguments are refused with a message naming them.
  try {
    std::vector<double> too_short(2);
    actfn::forward(actfn::relu{}, logits, too_short);
    std::printf("mismatched sizes were accepted: WRONG\n");
    ++failures;
  } catch (const std::invalid_argument& e) {
    const bool named = std::string(e.what()).find("actfn::forward") != std::string::npos;
    std::printf("mismatched sizes refused: %s %s\n", e.what(), named ? "ok" : "WRONG");
    failures += !named;
  }

  std::printf("%s\n", failures == 0 ? "all checks passed" : "SOME CHECKS FAILED");
  return failures == 0 ? 0 : 1;
}
