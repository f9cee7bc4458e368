// SPDX-License-Identifier: MIT
#pragma once

#include "ftdi_settings.hpp"
#include "uri.hpp"

#include <hashboard/transport.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

// libftdi's context, kept out of this header so users need no libftdi/libusb headers.
struct ftdi_context;

namespace hashboard::transport {

// A libftdi context with its USB device open (the kernel's ftdi_sio driver is detached
// from it for as long); closed and freed on destruction.
class FtdiDevice {
public:
	explicit FtdiDevice(const FtdiSettings &settings);
	~FtdiDevice();
	FtdiDevice(const FtdiDevice &) = delete;
	FtdiDevice &operator=(const FtdiDevice &) = delete;

	ftdi_context *get() const { return ctx_.get(); }
	// Throws TransportError("<link>: <what>: <libftdi's last error>") when rc < 0.
	void check(int rc, const std::string &link, const std::string &what) const;

private:
	struct Free {
		void operator()(ftdi_context *ctx) const noexcept;
	};
	std::unique_ptr<ftdi_context, Free> ctx_;
};

// An FTDI USB-UART (FT232R/FT230X class) through libftdi1, with the chain's reset and a
// power switch on CBUS bit-bang pins or DTR/RTS. Raw 8N1, no flow control, latency timer
// at 1 ms so short replies are not held back. Real time only: reads poll the device on
// the injected clock.
class FtdiTransport final : public Transport {
public:
	FtdiTransport(FtdiSettings settings, Clock &clock);
	~FtdiTransport() override;

	void write(ByteSpan data) override;
	std::size_t read(std::span<std::uint8_t> buf, Duration timeout) override;
	// Sets the rate the chip's divisor makes nearest to baud; std::invalid_argument when
	// that is more than 3 % away. baud() then reports the rate the chip really runs at.
	void set_baud(std::uint32_t baud) override;
	std::uint32_t baud() const override { return baud_; }
	void flush_input() override;
	bool has_reset() const override { return settings_.reset.has_value(); }
	void set_reset(bool asserted) override;
	std::string describe() const override;

private:
	std::string link() const { return "ftdi " + settings_.device(); }
	void drive(const FtdiLine &line, bool asserted);

	FtdiSettings settings_;
	Clock &clock_;
	FtdiDevice device_;
	bool high_speed_chip_;
	std::uint32_t baud_ = 0;
	// CBUS bit-bang state: one byte sets every pin, upper nibble direction (1 = output),
	// lower nibble level, so the transport keeps what it drives to rewrite it whole.
	std::uint8_t cbus_outputs_ = 0;
	std::uint8_t cbus_levels_ = 0;
};

struct FtdiDeviceInfo {
	std::uint16_t vid;
	std::uint16_t pid;
	std::string serial; // empty when the device could not be asked (permissions)
	std::string uri() const;
};

inline constexpr std::uint16_t kFtdiVendor = 0x0403;
// FTDI devices on the USB bus with vendor 0403 and one of the product ids. Throws
// TransportError when libusb cannot list devices at all.
std::vector<FtdiDeviceInfo> find_ftdi_devices(std::span<const std::uint16_t> product_ids);

std::unique_ptr<Transport> open_ftdi_transport(const TransportUri &uri, Clock &clock);

} // namespace hashboard::transport
