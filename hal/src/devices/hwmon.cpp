// SPDX-License-Identifier: MIT
#include "devices/hwmon.hpp"

#include "device_error_context.hpp"

#include "sysfs_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

namespace hashboard {

namespace fs = std::filesystem;

namespace {

// hwmon2 before hwmon10.
bool by_index(const fs::path &a, const fs::path &b)
{
	const std::string x = a.filename().string(), y = b.filename().string();
	return x.size() != y.size() ? x.size() < y.size() : x < y;
}

} // namespace

fs::path find_hwmon_by_name(const std::string &name, const fs::path &root)
{
	std::error_code ec;
	std::vector<fs::path> dirs;
	for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec))
		if (it->path().filename().string().rfind("hwmon", 0) == 0)
			dirs.push_back(it->path());
	if (ec)
		throw DeviceError("cannot list " + root.string() + ": " + ec.message(), ec.value());
	std::sort(dirs.begin(), dirs.end(), by_index);

	std::vector<std::string> seen; // hwmonN=name
	for (const auto &dir : dirs) {
		std::string found;
		try {
			found = sysfs::read_text(dir / "name");
		} catch (const DeviceError &) {
			continue; // a device without a name attribute cannot be the one asked for
		}
		if (found == name)
			return dir;
		seen.push_back(dir.filename().string() + "=" + found);
	}
	throw DeviceError(
	    "no hwmon device named \"" + name + "\" under " + root.string() +
	    (seen.empty() ? " (none found)" : fmt::format(" (found {})", fmt::join(seen, ", "))));
}

HwmonTemperature::HwmonTemperature(std::string name, fs::path input_file)
    : name_(std::move(name)), input_(std::move(input_file))
{
	read_celsius();
}

std::unique_ptr<HwmonTemperature> HwmonTemperature::by_hwmon_name(std::string name,
                                                                  const std::string &hwmon_name,
                                                                  unsigned channel,
                                                                  const fs::path &root)
{
	const fs::path dir =
	    with_device_name(name, [&] { return find_hwmon_by_name(hwmon_name, root); });
	return std::make_unique<HwmonTemperature>(
	    std::move(name), dir / ("temp" + std::to_string(channel) + "_input"));
}

double HwmonTemperature::read_celsius()
{
	return with_device_name(name_, [&] { return sysfs::read_integer(input_) / 1000.0; });
}

HwmonPwmFan::HwmonPwmFan(std::string name, fs::path hwmon_dir, unsigned pwm_channel,
                         unsigned fan_channel)
    : name_(std::move(name))
{
	if (pwm_channel == 0)
		throw std::invalid_argument(name_ + ": hwmon channels count from 1");
	const std::string pwm = "pwm" + std::to_string(pwm_channel);
	pwm_ = hwmon_dir / pwm;
	enable_ = hwmon_dir / (pwm + "_enable");
	if (fan_channel)
		tach_ = hwmon_dir / ("fan" + std::to_string(fan_channel) + "_input");

	with_device_name(name_, [&] {
		previous_enable_ = sysfs::read_integer(enable_);
		sysfs::write_integer(enable_, 1);
		duty_ =
		    static_cast<double>(std::clamp(sysfs::read_integer(pwm_), 0LL, 255LL)) / 255.0;
	});
}

HwmonPwmFan::~HwmonPwmFan()
{
	if (!previous_enable_ || *previous_enable_ == 1)
		return;
	try {
		sysfs::write_integer(enable_, *previous_enable_);
	} catch (const DeviceError &) {
		// Nothing to do at teardown; the kernel keeps the last duty.
	}
}

void HwmonPwmFan::set_duty(double fraction)
{
	if (std::isnan(fraction))
		throw std::invalid_argument(name_ + ": duty is not a number");
	const long long value = std::lround(std::clamp(fraction, 0.0, 1.0) * 255.0);
	with_device_name(name_, [&] { sysfs::write_integer(pwm_, value); });
	duty_ = static_cast<double>(value) / 255.0;
}

double HwmonPwmFan::rpm()
{
	if (tach_.empty())
		throw DeviceError(name_ + ": no tach configured");
	return with_device_name(name_,
	                        [&] { return static_cast<double>(sysfs::read_integer(tach_)); });
}

} // namespace hashboard
