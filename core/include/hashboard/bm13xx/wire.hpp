// SPDX-License-Identifier: MIT
//
// The chain's wire as the host sees it, each fact once: the UART's framing and how far
// two ends may disagree, the crystal and the rates a chain starts at, and how long every
// BM13xx frame is. The HAL, hbctl, hbsim's ports, the benches and the tests read them
// here. docs/protocol.md gives the sources.
//
// The simulator (sim/) takes only the plain UART framing and the frame sizes from here:
// the crystal, the reset baud and the tolerance it models are chip-side facts it states
// for itself (sim/src/chip_model.hpp, wire_timing.hpp), as the independent check of
// these (docs/simulator.md; tests/check_sim_independent.cmake).
#pragma once

#include <hashboard/clock.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace hashboard {

// ---- the UART -----------------------------------------------------------------------

// 8N1: a start bit, eight data bits and a stop bit carry each byte.
inline constexpr double kBitsPerByte = 10.0;

// How far apart two ends' rates may be and the bytes still cross: a 10-bit frame
// survives about half a bit of drift, a little under 5 % between the ends. The Bitaxe
// runs its host at 1,000,000 Bd against the chips' 1,041,667 (4.2 %, capture), so the
// host is set to the chips' exact rate wherever its UART can do it.
inline constexpr double kBaudTolerance = 0.05;

// How far a host UART's own divisor may miss the rate asked of it (FTDI AN232B-05:
// 3 %), which leaves the rest of kBaudTolerance to the chips' divisor.
inline constexpr double kHostDivisorTolerance = 0.03;

// How long `bytes` take on the wire at `baud`.
inline Duration wire_time(std::size_t bytes, double baud)
{
	return std::chrono::duration_cast<Duration>(
	    std::chrono::duration<double>(double(bytes) * kBitsPerByte / baud));
}

// ---- the chain's clocks -------------------------------------------------------------

// The crystal every BM13xx chain runs from: PLL reference, UART clock, 0x10's tick.
inline constexpr double kCrystalHz = 25e6;
// The chips' baud after reset: 25 MHz / (8 x (26 + 1)) = 115,741 Bd.
inline constexpr double kResetBaud = kCrystalHz / (8.0 * 27.0);
// What every link opens at: the standard UART rate nearest the reset baud (0.5 % away,
// well inside kBaudTolerance), one that every UART offers.
inline constexpr std::uint32_t kResetHostBaud = 115200;

} // namespace hashboard

namespace hashboard::bm13xx {

// ---- frame sizes --------------------------------------------------------------------

// Host frames: 55 AA | HDR | LEN | DATA | CRC; LEN counts everything after the preamble,
// so a frame is kPreambleSize + LEN bytes.
inline constexpr std::size_t kPreambleSize = 2;
inline constexpr std::uint8_t kLenCommand = 5;        // set address, read, chain inactive
inline constexpr std::uint8_t kLenWriteRegister = 9;  // 11 bytes
inline constexpr std::uint8_t kLenOneMidstate = 0x36; // BM1397 job, 56 bytes
inline constexpr std::uint8_t kLenFourMidstates = 0x96;
inline constexpr std::uint8_t kLenHeaderJob = 0x56; // BM1366+ job, 88 bytes
// Factory firmware (S21 Pro, S19j Pro captures) sends header jobs of the same 88 bytes
// with LEN 0x36, and the chips take them: a header job's size is fixed by its format,
// not by LEN (docs/protocol.md, "Job frames").
inline constexpr std::uint8_t kLenFactoryHeaderJob = 0x36;

constexpr std::size_t host_frame_size(std::uint8_t len)
{
	return kPreambleSize + len;
}
inline constexpr std::size_t kHeaderJobSize = host_frame_size(kLenHeaderJob);

// Chip replies, preamble and LAST included: 9 bytes, 11 while version rolling is on
// (BM1366+, 0xA4 bit 31).
inline constexpr std::size_t kReplyLen = 9;
inline constexpr std::size_t kRollingReplyLen = 11;

} // namespace hashboard::bm13xx
