// SPDX-License-Identifier: MIT
// Owns the tests' precompiled header (tests/CMakeLists.txt); the file itself is empty and
// proves the header set compiles.
