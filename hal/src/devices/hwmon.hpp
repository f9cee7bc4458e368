// SPDX-License-Identifier: MIT
//
// Sensors and fans that a kernel driver already exposes through hwmon sysfs
// (Documentation/hwmon/sysfs-interface.rst): tempK_input in millidegrees Celsius,
// pwmK 0..255 with pwmK_enable (1 = manual), fanK_input in rpm.
#pragma once

#include <hashboard/board/devices.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace hashboard {

// A string_view, not a path: a static path is built before main and could throw there.
inline constexpr std::string_view kHwmonRoot = "/sys/class/hwmon";

// The hwmonN directory whose `name` attribute is `name` (the first, in hwmonN order).
// Throws DeviceError listing the names it found when none matches.
std::filesystem::path find_hwmon_by_name(const std::string &name,
                                         const std::filesystem::path &root = kHwmonRoot);

class HwmonTemperature final : public TemperatureSensor {
public:
	// input_file: e.g. /sys/class/hwmon/hwmon2/temp1_input. Read at construction, so a
	// wrong path fails at start-up rather than in the first control step.
	HwmonTemperature(std::string name, std::filesystem::path input_file);
	// tempK_input of the hwmon device called hwmon_name.
	static std::unique_ptr<HwmonTemperature>
	by_hwmon_name(std::string name, const std::string &hwmon_name, unsigned channel,
	              const std::filesystem::path &root = kHwmonRoot);

	const std::string &name() const override { return name_; }
	double read_celsius() override;
	const std::filesystem::path &input_file() const { return input_; }

private:
	std::string name_;
	std::filesystem::path input_;
};

class HwmonPwmFan final : public Fan {
public:
	// Takes manual control (pwmK_enable = 1) at construction and hands the previous
	// mode back at destruction, so the kernel's own fan policy resumes when we exit.
	// fan_channel: the fanK_input to read; 0 when the fan has no tach wired.
	HwmonPwmFan(std::string name, std::filesystem::path hwmon_dir, unsigned pwm_channel,
	            unsigned fan_channel);
	~HwmonPwmFan() override;
	HwmonPwmFan(const HwmonPwmFan &) = delete;
	HwmonPwmFan &operator=(const HwmonPwmFan &) = delete;

	const std::string &name() const override { return name_; }
	void set_duty(double fraction) override;
	double duty() const override { return duty_; }
	double rpm() override; // DeviceError when there is no tach

private:
	std::string name_;
	std::filesystem::path pwm_;
	std::filesystem::path enable_;
	std::filesystem::path tach_; // empty without a tach
	std::optional<long long> previous_enable_;
	double duty_ = 0;
};

} // namespace hashboard
