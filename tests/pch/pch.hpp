// SPDX-License-Identifier: MIT
// The headers nearly every test includes, precompiled once and reused by every test
// program (Boost.Test and Boost.JSON are most of a test's compile time).
#pragma once

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/chain.hpp>
#include <hashboard/clock.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>
