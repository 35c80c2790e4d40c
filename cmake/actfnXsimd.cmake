# Finds xsimd (8.1 or newer) for actfn; included by actfn's own build and by the installed
# actfnConfig.cmake, so consumers get the same behaviour.
#
# Debian 12's libxsimd-dev (8.1.0) exports a target `xsimd` whose link interface names `xtl`,
# but its config never looks for xtl, so linking fails with "cannot find -lxtl". xsimd's
# headers need xtl only when XSIMD_ENABLE_XTL_COMPLEX is defined, which actfn never does.
# So: use the real xtl package when it is installed, otherwise an empty stand-in target.
include(CMakeFindDependencyMacro)
find_dependency(xsimd 8.1 CONFIG)
if(TARGET xsimd AND NOT TARGET xtl)
  find_package(xtl QUIET CONFIG)
  if(NOT TARGET xtl)
    add_library(xtl INTERFACE IMPORTED)
  endif()
endif()
