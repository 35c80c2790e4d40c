# Cross-compiles actfn's tests, examples and tools for AArch64 Linux (NEON: ACTFN_TEST_ISAS
# neon64) with Debian's g++-aarch64-linux-gnu, and runs them under qemu-user's qemu-aarch64:
#
#   cmake -S . -B build-aarch64 --toolchain cmake/aarch64-toolchain.cmake
#   cmake --build build-aarch64 && ctest --test-dir build-aarch64
#
# (scripts/test_aarch64.sh does this, with the Debian packages it needs.) The target's C and
# C++ libraries are those of the cross compiler's sysroot, /usr/aarch64-linux-gnu, which qemu
# also loads the programs' shared libraries from (-L).
#
# xsimd and Catch2 are header-only and installed for the host (libxsimd-dev, catch2: headers
# in /usr/include, CMake packages under /usr/lib). Putting /usr/include on the cross compiler's
# path would put the host's C library headers before the target's, so the build directory
# gets an overlay, aarch64-header-only/, that holds only those two packages: their include
# directories (symbolic links) and copies of their CMake package files, at the same depth
# below the overlay as below / so that they compute their prefix inside it. It leaves out
# Catch2's compiled library (Catch2::Catch2WithMain, built for the host), which actfn does
# not use: its tests compile Catch's main themselves.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(ACTFN_AARCH64_TRIPLE aarch64-linux-gnu)
set(ACTFN_AARCH64_SYSROOT /usr/${ACTFN_AARCH64_TRIPLE})
set(CMAKE_C_COMPILER ${ACTFN_AARCH64_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${ACTFN_AARCH64_TRIPLE}-g++)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64;-L;${ACTFN_AARCH64_SYSROOT})

set(ACTFN_AARCH64_OVERLAY ${CMAKE_BINARY_DIR}/aarch64-header-only)
get_property(ACTFN_IN_TRY_COMPILE GLOBAL PROPERTY IN_TRY_COMPILE)
if(NOT ACTFN_IN_TRY_COMPILE)
  foreach(dir xsimd catch2)
    if(EXISTS /usr/include/${dir} AND NOT EXISTS ${ACTFN_AARCH64_OVERLAY}/usr/include/${dir})
      file(MAKE_DIRECTORY ${ACTFN_AARCH64_OVERLAY}/usr/include)
      file(CREATE_LINK /usr/include/${dir} ${ACTFN_AARCH64_OVERLAY}/usr/include/${dir} SYMBOLIC)
    endif()
  endforeach()
  # The package directories, wherever the host has them (xsimd's is below the host's
  # multiarch directory, /usr/lib/x86_64-linux-gnu; the copy goes below the target's).
  file(GLOB ACTFN_HOST_PACKAGES LIST_DIRECTORIES true
       /usr/lib/cmake/xsimd /usr/lib/*/cmake/xsimd /usr/share/cmake/xsimd
       /usr/lib/cmake/Catch2 /usr/lib/*/cmake/Catch2 /usr/share/cmake/Catch2)
  foreach(dir IN LISTS ACTFN_HOST_PACKAGES)
    string(REGEX REPLACE "^/usr/lib/[^/]+-linux-gnu[^/]*/" "/usr/lib/${ACTFN_AARCH64_TRIPLE}/"
           copy ${dir})
    get_filename_component(parent ${ACTFN_AARCH64_OVERLAY}${copy} DIRECTORY)
    file(COPY ${dir} DESTINATION ${parent}
         PATTERN "*Targets-*.cmake" EXCLUDE)  # the imported libraries' files: host binaries
  endforeach()
endif()

# Libraries, headers and packages from the target's sysroot, the overlay and any root given on
# the command line (-DCMAKE_FIND_ROOT_PATH=<an installed actfn>) only; programs (the build
# tools) from the host.
list(APPEND CMAKE_FIND_ROOT_PATH ${ACTFN_AARCH64_OVERLAY} ${ACTFN_AARCH64_SYSROOT})
list(REMOVE_DUPLICATES CMAKE_FIND_ROOT_PATH)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
