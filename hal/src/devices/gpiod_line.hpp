// SPDX-License-Identifier: MIT
//
// One GPIO line through libgpiod (v1 API, the character device /dev/gpiochipN): reset,
// power enable (outputs) or plug detect (input), by chip and line offset as a board
// file names them. The line is held, under the consumer name "hashboard", until the
// object is destroyed.
#pragma once

#include <hashboard/board/devices.hpp>

#include <memory>
#include <string>

struct gpiod_chip;
struct gpiod_line;

namespace hashboard {

class GpiodLine final : public GpioLine {
public:
	enum class Direction { output, input };
	struct Config {
		// "gpiochip0" (the /dev name), a chip label ("pinctrl-bcm2711"), a path
		// ("/dev/gpiochip0") or a number ("0").
		std::string chip = "gpiochip0";
		unsigned offset = 0;
		// The board's polarity: active-low lines are inverted by the kernel, so
		// set_active(true) always means "asserted".
		bool active_low = false;
		Direction direction = Direction::output;
		bool initial_active = false; // outputs only: the level from the first instant
		std::string consumer = "hashboard";
	};

	// Throws DeviceError naming the chip (and line) when the chip does not exist, the
	// offset is out of range or the line is held by another consumer.
	GpiodLine(std::string name, Config config);
	~GpiodLine() override;
	GpiodLine(const GpiodLine &) = delete;
	GpiodLine &operator=(const GpiodLine &) = delete;

	const std::string &name() const override { return name_; }
	void set_active(bool active) override; // DeviceError on an input
	bool is_active() override;
	const Config &config() const { return config_; }

private:
	struct ChipCloser {
		void operator()(gpiod_chip *chip) const;
	};
	std::string describe() const;

	std::string name_;
	Config config_;
	std::unique_ptr<gpiod_chip, ChipCloser> chip_;
	gpiod_line *line_ = nullptr; // owned by chip_; released in the destructor
};

} // namespace hashboard
