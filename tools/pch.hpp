// SPDX-License-Identifier: MIT
// The heavy headers every hbctl and hbsim source includes (CLI11 is header-only and
// costs seconds per file), precompiled once per tool (tools/CMakeLists.txt).
#pragma once

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <hashboard/chain.hpp>
#include <hashboard/transport.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
