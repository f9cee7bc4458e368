// SPDX-License-Identifier: MIT
#include "devices/gpiod_line.hpp"

#include <gpiod.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace hashboard {

namespace {

bool all_digits(const std::string &s)
{
	return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

// A path, a number, or a /dev name and failing that a label. err gets the errno of the
// most telling failure: "no such chip" only when nothing else went wrong.
gpiod_chip *open_chip(const std::string &chip, int &err)
{
	gpiod_chip *c = nullptr;
	if (chip.find('/') != std::string::npos) {
		c = ::gpiod_chip_open(chip.c_str());
		err = errno;
	} else if (all_digits(chip) && chip.size() < 6) {
		c = ::gpiod_chip_open_by_number(static_cast<unsigned>(std::stoul(chip)));
		err = errno;
	} else {
		c = ::gpiod_chip_open_by_name(chip.c_str());
		err = errno;
		if (!c && err == ENOENT) {
			c = ::gpiod_chip_open_by_label(chip.c_str());
			if (!c && errno != ENOENT)
				err = errno;
		}
	}
	return c;
}

} // namespace

void GpiodLine::ChipCloser::operator()(gpiod_chip *chip) const
{
	::gpiod_chip_close(chip);
}

std::string GpiodLine::describe() const
{
	return name_ + " (" + config_.chip + " line " + std::to_string(config_.offset) + ")";
}

GpiodLine::GpiodLine(std::string name, Config config)
    : name_(std::move(name)), config_(std::move(config))
{
	int err = 0;
	chip_.reset(open_chip(config_.chip, err));
	if (!chip_)
		throw DeviceError(describe() + ": GPIO chip \"" + config_.chip +
		                      "\" not found: " + std::strerror(err ? err : ENOENT),
		                  err ? err : ENOENT);

	const unsigned lines = ::gpiod_chip_num_lines(chip_.get());
	if (config_.offset >= lines)
		throw DeviceError(describe() + ": offset out of range (the chip has " +
		                      std::to_string(lines) + " lines)",
		                  EINVAL);
	line_ = ::gpiod_chip_get_line(chip_.get(), config_.offset);
	if (!line_) {
		const int e = errno;
		throw DeviceError(describe() + ": " + std::strerror(e), e);
	}

	const int flags = config_.active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
	const int rc =
	    config_.direction == Direction::output
	        ? ::gpiod_line_request_output_flags(line_, config_.consumer.c_str(), flags,
	                                            config_.initial_active ? 1 : 0)
	        : ::gpiod_line_request_input_flags(line_, config_.consumer.c_str(), flags);
	if (rc < 0) {
		const int e = errno;
		const char *holder = ::gpiod_line_consumer(line_);
		throw DeviceError(describe() + ": cannot request the line: " + std::strerror(e) +
		                      (e == EBUSY && holder
		                           ? std::string(" (held by \"") + holder + "\")"
		                           : std::string()),
		                  e);
	}
}

GpiodLine::~GpiodLine()
{
	if (line_ && ::gpiod_line_is_requested(line_))
		::gpiod_line_release(line_);
}

void GpiodLine::set_active(bool active)
{
	if (config_.direction != Direction::output)
		throw DeviceError(describe() + ": is an input", EPERM);
	if (::gpiod_line_set_value(line_, active ? 1 : 0) < 0) {
		const int e = errno;
		throw DeviceError(describe() + ": cannot set: " + std::strerror(e), e);
	}
}

bool GpiodLine::is_active()
{
	const int v = ::gpiod_line_get_value(line_);
	if (v < 0) {
		const int e = errno;
		throw DeviceError(describe() + ": cannot read: " + std::strerror(e), e);
	}
	return v == 1;
}

} // namespace hashboard
