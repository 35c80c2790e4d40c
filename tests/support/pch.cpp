// The source of the per-instruction-set targets that hold the tests' precompiled header
// (tests/CMakeLists.txt); the header itself is all they are for.
