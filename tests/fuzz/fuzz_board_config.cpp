// SPDX-License-Identifier: MIT
// parse_board_config on arbitrary text: it must not crash, hang or allocate without
// bound; it either returns a board whose every value lies in the ranges
// docs/board-files.md states, or throws a BoardConfigError (an std::invalid_argument)
// with a message and the file's name.

#include "fuzz_common.hpp"

#include <hashboard/board/board_config.hpp>

#include <cmath>
#include <string_view>

using namespace hashboard;

namespace {

bool finite_in(double v, double lo, double hi)
{
	return std::isfinite(v) && v >= lo && v <= hi;
}

void check(const BoardConfig &c)
{
	FUZZ_CHECK(!c.name.empty());
	FUZZ_CHECK(!c.chains.empty());
	for (const auto &ch : c.chains) {
		FUZZ_CHECK(ch.family != nullptr);
		FUZZ_CHECK(ch.chips >= 1 && ch.chips <= 256);
		FUZZ_CHECK(ch.id <= 255);
		FUZZ_CHECK(ch.zero_bits >= 1 && ch.zero_bits <= 32);
		FUZZ_CHECK(finite_in(ch.frequency_mhz, 1, 10000));
		FUZZ_CHECK(ch.frequency_mhz >= c.limits.freq_min_mhz &&
		           ch.frequency_mhz <= c.limits.freq_max_mhz);
		FUZZ_CHECK(ch.ramp_interval.count() >= 0);
		FUZZ_CHECK(std::isfinite(ch.ramp_step_mhz) && ch.ramp_step_mhz > 0);
	}
	FUZZ_CHECK(finite_in(c.limits.temp_warn_c, -40, 200));
	FUZZ_CHECK(finite_in(c.limits.temp_trip_c, -40, 200));
	FUZZ_CHECK(c.limits.vout.min_mv <= c.limits.vout.max_mv);
	FUZZ_CHECK(c.limits.freq_min_mhz <= c.limits.freq_max_mhz);
	for (const auto &r : c.regulators) {
		FUZZ_CHECK(finite_in(r.default_mv, 0, 20000));
		FUZZ_CHECK(r.vout.min_mv <= r.vout.max_mv);
	}
	for (const auto &f : c.fans)
		FUZZ_CHECK(finite_in(f.duty, 0, 1) && finite_in(f.min_duty, 0, 1));
	FUZZ_CHECK(c.safety.watchdog_timeout.count() > 0);
	FUZZ_CHECK(c.safety.fan_grace.count() >= 0);
	FUZZ_CHECK(c.sim.zero_bits >= 1 && c.sim.zero_bits <= 32);
	FUZZ_CHECK(c.sim.thermal.tau.count() > 0);
	for (const auto &f : c.sim.faults)
		FUZZ_CHECK(f.at.count() >= 0);
	for (const auto &d : c.domains)
		FUZZ_CHECK(d.chip_count() >= 1 && d.chip_count() <= 256);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	const std::string_view text(reinterpret_cast<const char *>(data), size);
	try {
		check(parse_board_config(text, "fuzz.toml"));
	} catch (const BoardConfigError &e) {
		FUZZ_CHECK(e.file() == "fuzz.toml");
		FUZZ_CHECK(!e.message().empty());
	} catch (const std::invalid_argument &e) {
		// Errors from the parts the reader calls (family names, chip ranges) must still
		// say something.
		FUZZ_CHECK(e.what()[0] != '\0');
	}
	return 0;
}
