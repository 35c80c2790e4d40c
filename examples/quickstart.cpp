// SPDX-License-Identifier: MIT
// actfn in one page: the same function object on a scalar, on an xsimd batch and on whole
// buffers. Exits non-zero if the three ways ever disagree (ctest runs it).
#include <actfn/actfn.hpp>

#include <array>
#include <cmath>
#include <cstdio>
#include <span>
#include <vector>

int main() {
  int failures = 0;

  // A function is a small value; its parameters carry PyTorch's names and defaults.
  const actfn::gelu gelu{};
  const actfn::leaky_relu leaky{0.2};  // negative_slope = 0.2

  // 1. Scalars (float or double): the value and the derivative.
  std::printf("gelu(1) = %.9f, gelu'(1) = %.9f\n", gelu(1.0), gelu.derivative(1.0));
  std::printf("leaky_relu(-3) = %g\n", leaky(-3.0f));

  // 2. A SIMD batch (the widest the build targets): one result per lane, bit for bit the
  //    scalar result.
  using batch = xsimd::batch<float>;
  std::array<float, batch::size> in{}, out{};
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = -2.0f + 0.5f * static_cast<float>(i);
  leaky(batch::load_unaligned(in.data())).store_unaligned(out.data());
  for (std::size_t i = 0; i < in.size(); ++i) failures += out[i] != leaky(in[i]);

  // 3. Whole buffers: std::vector, std::array, std::span... of float or double, any length.
  std::vector<float> x = {-3.0f, -1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 3.0f};
  std::vector<float> y(x.size()), dy(x.size(), 1.0f), dx(x.size());
  actfn::forward(gelu, x, y);        // y  = gelu(x)
  actfn::backward(gelu, x, dy, dx);  // dx = dy * gelu'(x)
  for (std::size_t i = 0; i < x.size(); ++i) {
    std::printf("x = %5.2f  gelu = %9.6f  dgelu = %9.6f\n", x[i], y[i], dx[i]);
    failures += y[i] != gelu(x[i]) || dx[i] != gelu.derivative(x[i]);
  }

  // Where the output determines the derivative (sigmoid: y (1 - y)), backward can start from
  // y alone, so x need not be kept for the backward pass. Here y is computed in place, on a
  // span over part of the buffer.
  const actfn::sigmoid sigmoid{};
  std::vector<float> s = x;
  const std::span<float> tail = std::span(s).subspan(2);
  actfn::forward(sigmoid, tail, tail);
  std::vector<float> ds(tail.size());
  actfn::backward_from_output(sigmoid, tail, std::span(dy).subspan(2), ds);
  for (std::size_t i = 0; i < tail.size(); ++i)
    failures += std::abs(ds[i] - sigmoid.derivative(x[i + 2])) > 1e-6f;
  failures += s[0] != x[0] || s[1] != x[1];  // outside the span: untouched

  if (failures != 0) std::printf("quickstart: %d mismatches\n", failures);
  return failures == 0 ? 0 : 1;
}
