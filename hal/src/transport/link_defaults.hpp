// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace hashboard::transport {

// Every link opens at the standard UART rate nearest the chips' reset baud
// (25 MHz / (8 * 27) = 115740 Bd, 0.5% away, well inside a UART's tolerance).
inline constexpr std::uint32_t kOpenBaud = 115200;

} // namespace hashboard::transport
