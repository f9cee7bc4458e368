// SPDX-License-Identifier: MIT
#include "ftdi_transport.hpp"

#include "ftdi_baud.hpp"
#include "poll_loop.hpp"

#include <libftdi1/ftdi.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <stdexcept>

namespace hashboard::transport {

namespace {

// A USB bulk read returns after at most one latency period, so a short sleep between
// empty reads costs little latency and keeps the loop off the CPU.
constexpr Duration kReadPollInterval = std::chrono::microseconds(500);
// The chip flushes a partly filled USB packet after this long: 1 ms (the minimum)
// delivers a 9-byte reply as soon as it is complete instead of 16 ms later.
constexpr unsigned char kLatencyTimerMs = 1;

// libftdi's ftdi_usb_open_desc codes that tell the user what to fix.
int open_errno(int rc)
{
	switch (rc) {
	case -3:
		return ENODEV;
	case -4:
		return EACCES;
	case -5:
		return EBUSY;
	default:
		return EIO;
	}
}

bool is_high_speed(ftdi_chip_type type)
{
	return type == TYPE_2232H || type == TYPE_4232H || type == TYPE_232H;
}

} // namespace

void FtdiDevice::Free::operator()(ftdi_context *ctx) const noexcept
{
	ftdi_free(ctx);
}

FtdiDevice::FtdiDevice(const FtdiSettings &settings) : ctx_(ftdi_new())
{
	const std::string link = "ftdi " + settings.device();
	if (!ctx_)
		throw TransportError(link + ": cannot start libftdi (libusb_init failed)", EIO);
	const int rc = ftdi_usb_open_desc(ctx_.get(), settings.vid, settings.pid, nullptr,
	                                  settings.serial ? settings.serial->c_str() : nullptr);
	if (rc < 0) {
		std::string what = link + ": cannot open: " + ftdi_get_error_string(ctx_.get());
		if (rc == -4)
			what += " (permissions: a udev rule must give this user the USB device)";
		throw TransportError(what, open_errno(rc));
	}
}

FtdiDevice::~FtdiDevice()
{
	if (ctx_)
		ftdi_usb_close(ctx_.get());
}

void FtdiDevice::check(int rc, const std::string &link, const std::string &what) const
{
	if (rc < 0)
		throw TransportError(link + ": " + what + ": " + ftdi_get_error_string(ctx_.get()),
		                     EIO);
}

FtdiTransport::FtdiTransport(FtdiSettings settings, Clock &clock)
    : settings_(std::move(settings)), clock_(clock), device_(settings_),
      high_speed_chip_(is_high_speed(device_.get()->type))
{
	ftdi_context *ctx = device_.get();
	// Whatever the last user left (bit modes, queued bytes) is not this session's.
	device_.check(ftdi_usb_reset(ctx), link(), "reset");
	device_.check(ftdi_tcioflush(ctx), link(), "purge");
	device_.check(ftdi_set_line_property(ctx, BITS_8, STOP_BIT_1, NONE), link(), "8N1");
	device_.check(ftdi_setflowctrl(ctx, SIO_DISABLE_FLOW_CTRL), link(), "flow control");
	device_.check(ftdi_set_latency_timer(ctx, kLatencyTimerMs), link(), "latency timer");
	set_baud(settings_.baud);
	// The chain is powered while the transport is open; its reset is released so a
	// chain already running keeps its state (the bring-up pulses reset itself).
	if (settings_.reset)
		drive(*settings_.reset, false);
	if (settings_.power)
		drive(*settings_.power, true);
}

FtdiTransport::~FtdiTransport()
{
	// Reset goes in before power goes out, so the chips' reset inputs end up held rather
	// than driven high into an unpowered chain through its protection diodes.
	if (!settings_.power)
		return;
	try {
		if (settings_.reset)
			drive(*settings_.reset, true);
		drive(*settings_.power, false);
	} catch (const TransportError &) {
		// The device is gone (unplugged): nothing is powered through it any more.
	}
}

void FtdiTransport::write(ByteSpan data)
{
	while (!data.empty()) {
		const int len = static_cast<int>(std::min<std::size_t>(data.size(), INT_MAX));
		const int n = ftdi_write_data(device_.get(), data.data(), len);
		device_.check(n, link(), "write");
		if (n == 0)
			throw TransportError(link() + ": write stalled: the device takes no data",
			                     ETIMEDOUT);
		data = data.subspan(static_cast<std::size_t>(n));
	}
}

std::size_t FtdiTransport::read(std::span<std::uint8_t> buf, Duration timeout)
{
	if (buf.empty())
		return 0;
	const int len = static_cast<int>(std::min<std::size_t>(buf.size(), INT_MAX));
	return poll_until(clock_, timeout, kReadPollInterval, [&] {
		const int n = ftdi_read_data(device_.get(), buf.data(), len);
		device_.check(n, link(), "read");
		return static_cast<std::size_t>(n);
	});
}

void FtdiTransport::set_baud(std::uint32_t baud)
{
	if (baud == 0)
		throw std::invalid_argument(link() + ": baud must be above 0");
	const auto rate = ftdi_rate_within_tolerance(baud, high_speed_chip_);
	if (!rate) {
		const double nearest =
		    nearest_ftdi_rate(baud, ftdi_clock_for(baud, high_speed_chip_)).actual;
		throw std::invalid_argument(fmt::format("{}: cannot run at {} Bd within {:.0f} %: "
		                                        "the nearest rate this chip makes is "
		                                        "{:.0f} Bd ({:+.1f} %)",
		                                        link(), baud, kHostDivisorTolerance * 100,
		                                        nearest, (nearest / baud - 1.0) * 100));
	}
	ftdi_context *ctx = device_.get();
	// libftdi multiplies the rate by 4 whenever a bit-bang mode is on, as asynchronous
	// bit-bang clocks pins from the baud generator; CBUS bit-bang leaves the UART alone,
	// so the flag is hidden from it for this call.
	const unsigned char bitbang = ctx->bitbang_enabled;
	ctx->bitbang_enabled = 0;
	const int rc = ftdi_set_baudrate(ctx, static_cast<int>(rate->library_request));
	ctx->bitbang_enabled = bitbang;
	device_.check(rc, link(), "set " + std::to_string(baud) + " Bd");
	baud_ = static_cast<std::uint32_t>(std::lround(rate->actual));
}

void FtdiTransport::flush_input()
{
	// Empties the chip's receive FIFO and libftdi's own read buffer.
	device_.check(ftdi_tciflush(device_.get()), link(), "flush");
}

void FtdiTransport::set_reset(bool asserted)
{
	if (!settings_.reset)
		return Transport::set_reset(asserted);
	drive(*settings_.reset, asserted);
}

void FtdiTransport::drive(const FtdiLine &line, bool asserted)
{
	const bool high = asserted != line.active_low;
	ftdi_context *ctx = device_.get();
	switch (line.kind) {
	case FtdiLine::Kind::cbus: {
		const auto pin = static_cast<std::uint8_t>(1u << line.cbus_bit);
		cbus_outputs_ |= pin;
		cbus_levels_ =
		    static_cast<std::uint8_t>(high ? (cbus_levels_ | pin) : (cbus_levels_ & ~pin));
		const auto mask = static_cast<unsigned char>(cbus_outputs_ << 4 | cbus_levels_);
		device_.check(ftdi_set_bitmode(ctx, mask, BITMODE_CBUS), link(),
		              line.name() + " (CBUS bit-bang: the pin must be set to I/O mode "
		                            "in the EEPROM)");
		return;
	}
	// DTR# and RTS# are modem-control outputs, low while the signal is on.
	case FtdiLine::Kind::dtr:
		device_.check(ftdi_setdtr(ctx, high ? 0 : 1), link(), "dtr");
		return;
	case FtdiLine::Kind::rts:
		device_.check(ftdi_setrts(ctx, high ? 0 : 1), link(), "rts");
		return;
	}
}

std::string FtdiTransport::describe() const
{
	std::string s = "ftdi:" + settings_.device() + " @" + std::to_string(baud_);
	const auto line = [](const FtdiLine &l) {
		return l.name() + (l.active_low ? " (active low)" : "");
	};
	if (settings_.reset)
		s += " reset=" + line(*settings_.reset);
	if (settings_.power)
		s += " power=" + line(*settings_.power);
	return s;
}

std::string FtdiDeviceInfo::uri() const
{
	return "ftdi:" + ftdi_usb_ids(vid, pid) + (serial.empty() ? "" : ":" + serial);
}

std::vector<FtdiDeviceInfo> find_ftdi_devices(std::span<const std::uint16_t> product_ids)
{
	const std::unique_ptr<ftdi_context, void (*)(ftdi_context *)> ctx(ftdi_new(), ftdi_free);
	if (!ctx)
		throw TransportError("ftdi: cannot start libftdi (libusb_init failed)", EIO);
	std::vector<FtdiDeviceInfo> found;
	for (const std::uint16_t pid : product_ids) {
		ftdi_device_list *list = nullptr;
		const int n = ftdi_usb_find_all(ctx.get(), &list, kFtdiVendor, pid);
		const std::unique_ptr<ftdi_device_list, void (*)(ftdi_device_list *)> owned(
		    list, ftdi_list_free2);
		if (n < 0)
			throw TransportError("ftdi: cannot list USB devices: " +
			                         std::string(ftdi_get_error_string(ctx.get())),
			                     EIO);
		for (ftdi_device_list *d = list; d; d = d->next) {
			char serial[128] = "";
			if (ftdi_usb_get_strings(ctx.get(), d->dev, nullptr, 0, nullptr, 0, serial,
			                         sizeof serial) < 0)
				serial[0] = '\0';
			found.push_back({kFtdiVendor, pid, serial});
		}
	}
	return found;
}

std::unique_ptr<Transport> open_ftdi_transport(const TransportUri &uri, Clock &clock)
{
	FtdiSettings settings = ftdi_settings(uri);
	require_real_time(uri, clock);
	return std::make_unique<FtdiTransport>(std::move(settings), clock);
}

} // namespace hashboard::transport
