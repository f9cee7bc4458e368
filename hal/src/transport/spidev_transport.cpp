// SPDX-License-Identifier: MIT
#include "spidev_transport.hpp"

#include "poll_loop.hpp"

#include <fmt/format.h>
#include <hashboard/bm13xx/wire.hpp>

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace hashboard::transport {

namespace {

// Every poll costs bus time (poll_chunk bytes at the SPI clock); a millisecond between
// polls is below a reply's wire time at the chips' reset baud.
constexpr Duration kPollInterval = std::chrono::milliseconds(1);

std::string hex_byte(std::uint8_t b)
{
	return fmt::format("0x{:02x}", b);
}

} // namespace

SpidevTransport::SpidevTransport(std::string path, std::unique_ptr<SpiBus> bus,
                                 const SpidevSettings &settings, Clock &clock)
    : path_(std::move(path)), bus_(std::move(bus)), settings_(settings), clock_(clock),
      baud_(kResetHostBaud), speed_hz_(settings.bus.speed_hz),
      poll_tx_(settings.poll_chunk, settings.filler), idle_run_(kIdleHold)
{
}

void SpidevTransport::clock_out(ByteSpan tx)
{
	scratch_.resize(tx.size());
	bus_->transfer(tx, scratch_);
	// What was read goes before more comes in, so a reader that always leaves a few
	// bytes behind does not grow the buffer.
	rx_.erase(rx_.begin(), rx_.begin() + static_cast<std::ptrdiff_t>(rx_head_));
	rx_head_ = 0;
	for (const std::uint8_t b : scratch_) {
		if (b != settings_.idle)
			idle_run_ = 0;
		else if (++idle_run_ > kIdleHold)
			continue;
		rx_.push_back(b);
	}
}

std::size_t SpidevTransport::take(std::span<std::uint8_t> buf)
{
	const std::size_t n = std::min(buf.size(), rx_.size() - rx_head_);
	std::copy_n(rx_.begin() + static_cast<std::ptrdiff_t>(rx_head_), n, buf.begin());
	rx_head_ += n;
	return n;
}

void SpidevTransport::write(ByteSpan data)
{
	while (!data.empty()) {
		const std::size_t n = std::min(data.size(), kSpidevMaxTransfer);
		clock_out(data.first(n));
		data = data.subspan(n);
	}
}

std::size_t SpidevTransport::read(std::span<std::uint8_t> buf, Duration timeout)
{
	if (buf.empty())
		return 0;
	if (const std::size_t n = take(buf))
		return n;
	return poll_until(clock_, timeout, kPollInterval, [&] {
		clock_out(poll_tx_);
		return take(buf);
	});
}

void SpidevTransport::set_baud(std::uint32_t baud)
{
	if (baud == 0)
		throw std::invalid_argument(link() + ": baud must be above 0");
	if (settings_.follow_baud) {
		bus_->set_speed(baud);
		speed_hz_ = baud;
	}
	baud_ = baud;
}

void SpidevTransport::flush_input()
{
	// Only what was clocked in: bytes the chain still holds come with the next transfer.
	// What follows starts a new stream, so idle bytes right after the flush are a gap.
	rx_.clear();
	rx_head_ = 0;
	idle_run_ = kIdleHold;
}

std::string SpidevTransport::describe() const
{
	std::string s = "spidev:" + path_ + " @" + std::to_string(baud_) +
	                " spi=" + std::to_string(speed_hz_) +
	                "Hz mode=" + std::to_string(settings_.bus.mode);
	if (settings_.follow_baud)
		s += " follow_baud";
	if (settings_.filler != 0)
		s += " filler=" + hex_byte(settings_.filler);
	if (settings_.idle != 0)
		s += " idle=" + hex_byte(settings_.idle);
	return s;
}

SpidevSettings spidev_settings(const TransportUri &uri)
{
	const UriOptions options(uri, kSpidevOptions);
	if (uri.path.empty())
		throw std::invalid_argument(
		    "transport URI '" + uri.text +
		    "': spidev: needs a device path, e.g. spidev:/dev/spidev0.0");
	SpidevSettings s;
	s.follow_baud = options.unsigned_value("follow_baud", 0, 1).value_or(0) == 1;
	const auto speed = options.unsigned_value("speed", 1, kSpidevMaxSpeedHz);
	if (speed && s.follow_baud)
		throw std::invalid_argument("transport URI '" + uri.text +
		                            "': speed= and follow_baud=1 both set the SPI clock; "
		                            "give one");
	s.bus.speed_hz = static_cast<std::uint32_t>(
	    speed.value_or(s.follow_baud ? kResetHostBaud : kSpidevDefaultSpeedHz));
	s.bus.mode = static_cast<std::uint8_t>(options.unsigned_value("mode", 0, 3).value_or(0));
	s.bus.bits_per_word =
	    static_cast<std::uint8_t>(options.unsigned_value("bits", 1, 8).value_or(8));
	s.filler = static_cast<std::uint8_t>(options.unsigned_value("filler", 0, 255).value_or(0));
	s.idle = static_cast<std::uint8_t>(options.unsigned_value("idle", 0, 255).value_or(0));
	s.poll_chunk = options.unsigned_value("poll_chunk", 1, kSpidevMaxTransfer).value_or(64);
	return s;
}

std::unique_ptr<Transport> open_spidev_transport(const TransportUri &uri, Clock &clock)
{
	const SpidevSettings settings = spidev_settings(uri);
	require_real_time(uri, clock);
	return std::make_unique<SpidevTransport>(
	    uri.path, std::make_unique<SpidevBus>(uri.path, settings.bus), settings, clock);
}

} // namespace hashboard::transport
