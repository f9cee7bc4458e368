// SPDX-License-Identifier: MIT
//
// Test cases that need a device (an FTDI cable, a spidev node, an I2C adapter, a GPIO
// chip) are a test suite labelled kHardwareLabel, with needs_device() as its
// precondition. tests/CMakeLists.txt (HB_HARDWARE_SUITES) runs each such suite as a
// ctest entry of its own and the rest of the program without them
// (--run_test=!@hardware). Without the device the precondition prints kSkipMarker and
// the reason, and ctest reports that entry Skipped rather than Passed, so a green run
// never hides that the hardware went untested.
#pragma once

#include <boost/test/unit_test.hpp>

#include <functional>
#include <iostream>
#include <optional>
#include <string>

namespace hbtest {

inline constexpr const char *kHardwareLabel = "hardware";
// ctest's SKIP_REGULAR_EXPRESSION for the hardware entries matches this.
inline constexpr const char *kSkipMarker = "HB-SKIPPED:";

// missing(): why the device is not usable here, or nothing when it is.
using DeviceCheck = std::function<std::optional<std::string>()>;

inline auto needs_device(DeviceCheck missing)
{
	return [missing = std::move(missing)](boost::unit_test::test_unit_id) {
		const auto why = missing();
		if (!why)
			return boost::test_tools::assertion_result(true);
		std::cout << kSkipMarker << " " << *why << std::endl;
		boost::test_tools::assertion_result r(false);
		r.message() << *why;
		return r;
	};
}

} // namespace hbtest
