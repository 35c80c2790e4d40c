# Flags for actfn's own targets (tests, benchmarks, examples); never added to actfn::actfn.
#
# actfn_target_defaults(<target> [NO_SANITIZE]) sets warnings (errors with ACTFN_WERROR) and
# sanitizers (not with NO_SANITIZE: for Catch2's main, whose instrumented build under
# ACTFN_SANITIZE took seven times as long as the plain one and checks none of actfn's code).
# GCC 12 reports -W(maybe-)uninitialized inside its own AVX-512 intrinsic headers
# (avx512fintrin.h's "__m512 __Y = __Y;" idiom, reached through xsimd); those two are switched
# off so that -Werror stays usable on the AVX-512 builds.
function(actfn_target_defaults target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "NO_SANITIZE" "" "")
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-uninitialized -Wno-maybe-uninitialized)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
    # GCC's AArch64 notes that C++17 changed how a class with an empty base is passed (every
    # functor: unary<Self>) from GCC < 10.1: an ABI note about mixing such builds, not a defect.
    target_compile_options(${target} PRIVATE -Wno-psabi)
  endif()
  if(ACTFN_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(ACTFN_SANITIZE AND NOT arg_NO_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all
                                             -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# The instruction sets the tests and benchmarks are built for, as -march levels:
# sse2 = x86-64 baseline, avx2 = x86-64-v3 (AVX2 + FMA), avx512 = x86-64-v4 (AVX-512 F/BW/CD/DQ/VL);
# neon64 = AArch64's baseline, armv8-a, whose Advanced SIMD (NEON, with FMA) every AArch64 CPU has.
set(ACTFN_ISA_FLAGS_sse2 -march=x86-64)
set(ACTFN_ISA_FLAGS_avx2 -march=x86-64-v3)
set(ACTFN_ISA_FLAGS_avx512 -march=x86-64-v4)
set(ACTFN_ISA_FLAGS_neon64 -march=armv8-a)
# The widest xsimd architecture each one compiles to (its xsimd::default_arch).
set(ACTFN_ISA_XSIMD_ARCH_sse2 "xsimd::sse2")
set(ACTFN_ISA_XSIMD_ARCH_avx2 "xsimd::fma3<xsimd::avx2>")
set(ACTFN_ISA_XSIMD_ARCH_avx512 "xsimd::avx512bw")
set(ACTFN_ISA_XSIMD_ARCH_neon64 "xsimd::neon64")
set(ACTFN_ISA_CPU_FEATURE_sse2 sse2)
set(ACTFN_ISA_CPU_FEATURE_avx2 avx2)
set(ACTFN_ISA_CPU_FEATURE_avx512 avx512bw)

# The processor family of each instruction set, and the ones to build for by default: those of
# the target processor (CMAKE_SYSTEM_PROCESSOR, which a cross build's toolchain file sets).
set(ACTFN_ISAS_x86 sse2 avx2 avx512)
set(ACTFN_ISAS_arm64 neon64)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(ACTFN_ISA_FAMILY arm64)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64|i[3-6]86|x86)$")
  set(ACTFN_ISA_FAMILY x86)
else()
  set(ACTFN_ISA_FAMILY "")
endif()
set(ACTFN_DEFAULT_ISAS "${ACTFN_ISAS_${ACTFN_ISA_FAMILY}}")
set(ACTFN_KNOWN_ISAS ${ACTFN_ISAS_x86} ${ACTFN_ISAS_arm64})

# actfn_isa_runnable(<isa> <var>): <var> true when the programs built for <isa> run here: a
# test built for an ISA the CPU lacks would die with SIGILL, so the callers leave such ISAs out
# (loudly). An unknown ISA, or one of another processor family than the target's, is an error.
# On x86 the CPU is asked (__builtin_cpu_supports, cached as ACTFN_CPU_HAS_<isa>); a cross
# build cannot ask it and relies on CMAKE_CROSSCOMPILING_EMULATOR running every ISA of the
# target (qemu does). neon64 needs no check: every AArch64 CPU has it.
function(actfn_isa_runnable isa var)
  if(NOT DEFINED ACTFN_ISA_FLAGS_${isa})
    string(REPLACE ";" ", " known "${ACTFN_KNOWN_ISAS}")
    message(FATAL_ERROR "actfn: unknown instruction set '${isa}' (known: ${known})")
  endif()
  if(NOT isa IN_LIST ACTFN_ISAS_${ACTFN_ISA_FAMILY})
    message(FATAL_ERROR "actfn: instruction set '${isa}' is not one of the target processor "
                        "'${CMAKE_SYSTEM_PROCESSOR}' (for an AArch64 build: "
                        "--toolchain cmake/aarch64-toolchain.cmake)")
  endif()
  if(CMAKE_CROSSCOMPILING OR NOT DEFINED ACTFN_ISA_CPU_FEATURE_${isa})
    set(${var} TRUE PARENT_SCOPE)
    return()
  endif()
  include(CheckCXXSourceRuns)
  check_cxx_source_runs(
    "int main() { return __builtin_cpu_supports(\"${ACTFN_ISA_CPU_FEATURE_${isa}}\") ? 0 : 1; }"
    ACTFN_CPU_HAS_${isa})
  set(${var} ${ACTFN_CPU_HAS_${isa}} PARENT_SCOPE)
endfunction()
