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
# sse2 = x86-64 baseline, avx2 = x86-64-v3 (AVX2 + FMA), avx512 = x86-64-v4 (AVX-512 F/BW/CD/DQ/VL).
set(ACTFN_ISA_FLAGS_sse2 -march=x86-64)
set(ACTFN_ISA_FLAGS_avx2 -march=x86-64-v3)
set(ACTFN_ISA_FLAGS_avx512 -march=x86-64-v4)
set(ACTFN_ISA_CPU_FEATURE_sse2 sse2)
set(ACTFN_ISA_CPU_FEATURE_avx2 avx2)
set(ACTFN_ISA_CPU_FEATURE_avx512 avx512bw)
