// SPDX-License-Identifier: MIT
#pragma once

#include "spi_bus.hpp"
#include "uri.hpp"

#include <hashboard/bm13xx/wire.hpp>
#include <hashboard/transport.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace hashboard::transport {

// spidev:/dev/spidevB.C[?speed=HZ&mode=0..3&bits=1..8&filler=B&idle=B&poll_chunk=N
//                       &follow_baud=0|1]
struct SpidevSettings {
	SpiBusConfig bus;
	std::uint8_t filler = 0x00; // clocked out to poll when the host has nothing to send
	std::uint8_t idle = 0x00;   // what a chain with nothing to say shifts back
	std::size_t poll_chunk = 64;
	bool follow_baud = false; // set_baud sets the SPI clock (1 bit per clock)
};

inline constexpr std::uint32_t kSpidevDefaultSpeedHz = 1'000'000;
inline constexpr std::uint32_t kSpidevMaxSpeedHz = 200'000'000;
inline constexpr std::array<std::string_view, 7> kSpidevOptions{
    "speed", "mode", "bits", "filler", "idle", "poll_chunk", "follow_baud"};

// Throws std::invalid_argument naming the part of the URI that is wrong.
SpidevSettings spidev_settings(const TransportUri &uri);

// A chip chain on SPI. SPI is full duplex and the host makes the clock: write() clocks
// the frames out and keeps what the chain shifted back meanwhile; read() hands out what
// was kept and, when nothing is, polls: it clocks out up to poll_chunk filler bytes per
// transfer, every millisecond, until something comes back or the timeout passes on the
// injected clock. A chain with nothing to say shifts back its idle byte; runs of it
// longer than kIdleHold bytes are gaps and are dropped, shorter ones are delivered,
// because a reply's own bytes can equal the idle value. There is no baud on SPI: set_baud
// records the rate, and sets the SPI clock only with follow_baud=1. No reset line.
class SpidevTransport final : public Transport {
public:
	SpidevTransport(std::string path, std::unique_ptr<SpiBus> bus,
	                const SpidevSettings &settings, Clock &clock);

	void write(ByteSpan data) override;
	std::size_t read(std::span<std::uint8_t> buf, Duration timeout) override;
	void set_baud(std::uint32_t baud) override;
	std::uint32_t baud() const override { return baud_; }
	void flush_input() override;
	std::string describe() const override;

	// Longer than any BM13xx reply, so no stretch inside one is cut.
	static constexpr std::size_t kIdleHold = 32;
	static_assert(kIdleHold > bm13xx::kRollingReplyLen);

private:
	std::string link() const { return "spidev " + path_; }
	// One transfer; keeps what came back, less idle gaps.
	void clock_out(ByteSpan tx);
	std::size_t take(std::span<std::uint8_t> buf);

	std::string path_;
	std::unique_ptr<SpiBus> bus_;
	SpidevSettings settings_;
	Clock &clock_;
	std::uint32_t baud_;
	std::uint32_t speed_hz_;
	Bytes poll_tx_; // poll_chunk filler bytes
	Bytes scratch_; // what one transfer brought back
	Bytes rx_;      // received, not yet read, from rx_head_ on
	std::size_t rx_head_ = 0;
	std::size_t idle_run_; // idle bytes received since the last other byte
};

std::unique_ptr<Transport> open_spidev_transport(const TransportUri &uri, Clock &clock);

} // namespace hashboard::transport
