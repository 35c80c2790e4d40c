// The xsimd architectures a test binary checks with the kernels of its own instruction set.
//
// A binary built for avx512 (-march=x86-64-v4) can run every x86 architecture xsimd has below it
// (avx512bw ... fma3<avx2>, avx2, avx, sse4_2 ... sse2), and its avx2 and sse2 siblings run most
// of the same ones. Checking each architecture in every binary that can run it multiplied the
// build's largest translation units; instead each binary checks the architectures above
// ACTFN_TEST_ARCH_FLOOR, the widest architecture of the next narrower instruction set the build
// has tests for (tests/CMakeLists.txt sets it), whose binary checks that one and those below. A
// build with one instruction set (no floor) checks every architecture it can run.
#pragma once

#include <type_traits>
#include <xsimd/xsimd.hpp>

namespace actfn_test {

/// Calls f(arch) for each architecture this binary checks (see above), widest first. Never
/// xsimd::neon, the 32-bit ARM set AArch64 builds list beside neon64: it has no double lanes,
/// which actfn's kernels use.
template <class F>
void for_each_checked_arch(F&& f) {
  xsimd::supported_architectures::for_each([&](auto arch) {
    using A = decltype(arch);
#ifdef ACTFN_TEST_ARCH_FLOOR
    constexpr bool above_floor = A::version() > ACTFN_TEST_ARCH_FLOOR::version();
#else
    constexpr bool above_floor = true;
#endif
    if constexpr (above_floor && !std::is_same_v<A, xsimd::neon>) f(arch);
  });
}

}  // namespace actfn_test
