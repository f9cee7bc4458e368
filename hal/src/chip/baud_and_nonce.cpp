// SPDX-License-Identifier: MIT
#include <hashboard/chip_family.hpp>

#include <cmath>

namespace hashboard {
namespace {

constexpr double kBaseUartClock = 25e6;
// A UART byte survives a rate error of a few percent; beyond that it is garbage.
constexpr double kBaudTolerance = 0.03;

std::uint32_t field_mask(unsigned bits)
{
	return bits >= 32 ? 0xFFFFFFFFu : (1u << bits) - 1;
}

} // namespace

double baud_from_registers(const ChipFamily &family, std::uint32_t misc_control, bool fast_uart)
{
	const BaudRecipe &r = family.baud;
	const double clk = fast_uart && r.fast_uart_value ? r.uart_clock_hz : kBaseUartClock;
	const std::uint32_t div = (misc_control >> r.divisor_shift) & field_mask(r.divisor_bits);
	return clk / (8.0 * (div + 1));
}

std::optional<BaudWrites> baud_writes(const ChipFamily &family, std::uint32_t baud)
{
	const BaudRecipe &r = family.baud;
	if (baud == 0 || baud > r.max_baud)
		return std::nullopt;
	// Prefer the reset clock (one register write); use the fast UART clock only when the
	// reset clock cannot get within tolerance.
	for (bool fast : {false, true}) {
		if (fast && !r.fast_uart_value)
			break;
		const double clk = fast ? r.uart_clock_hz : kBaseUartClock;
		const double exact = clk / (8.0 * baud) - 1.0;
		if (exact < -0.5)
			continue;
		const auto div = std::uint32_t(std::lround(std::max(0.0, exact)));
		if (div > field_mask(r.divisor_bits))
			continue;
		const double actual = clk / (8.0 * (div + 1));
		if (std::fabs(actual - baud) / baud > kBaudTolerance)
			continue;
		BaudWrites w{r.misc_control_base | (div << r.divisor_shift), std::nullopt, actual};
		if (fast)
			w.fast_uart = r.fast_uart_value;
		return w;
	}
	return std::nullopt;
}

NonceIdentity nonce_identity(const ChipFamily &family, std::uint32_t header_nonce)
{
	// Layout bit numbers refer to the wire bytes read big-endian.
	const std::uint32_t be = __builtin_bswap32(header_nonce);
	const NonceLayout &l = family.nonce;
	return {(be >> l.core_shift) & field_mask(l.core_bits),
		(be >> l.small_core_shift) & field_mask(l.small_core_bits),
		(be >> l.addr_shift) & field_mask(l.addr_bits)};
}

std::uint32_t nonce_with_identity(const ChipFamily &family, std::uint32_t header_nonce,
				  const NonceIdentity &id)
{
	const NonceLayout &l = family.nonce;
	std::uint32_t be = __builtin_bswap32(header_nonce);
	auto put = [&be](unsigned shift, unsigned bits, std::uint32_t v) {
		const std::uint32_t m = field_mask(bits) << shift;
		be = (be & ~m) | ((v << shift) & m);
	};
	put(l.core_shift, l.core_bits, id.core);
	put(l.small_core_shift, l.small_core_bits, id.small_core);
	put(l.addr_shift, l.addr_bits, id.addr);
	return __builtin_bswap32(be);
}

} // namespace hashboard
