// SPDX-License-Identifier: MIT
// Device errors carry the name the board gave the device, so a log line says which
// sensor or rail failed, not only which bus address.
#pragma once

#include <hashboard/board/devices.hpp>

#include <string>

namespace hashboard {

template <class F> auto with_device_name(const std::string &name, F &&f)
{
	try {
		return f();
	} catch (const DeviceError &e) {
		throw DeviceError(name + ": " + e.what(), e.error_number());
	}
}

} // namespace hashboard
