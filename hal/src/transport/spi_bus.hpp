// SPDX-License-Identifier: MIT
//
// The SPI controller a spidev: transport drives, behind the two operations it needs, so
// the transport's clocking model can be tested against a simulated chain.
#pragma once

#include "unique_fd.hpp"

#include <hashboard/bytes.hpp>

#include <cstdint>
#include <span>
#include <string>

namespace hashboard::transport {

class SpiBus {
public:
	virtual ~SpiBus() = default;
	SpiBus() = default;
	SpiBus(const SpiBus &) = delete;
	SpiBus &operator=(const SpiBus &) = delete;

	// One full-duplex transfer with chip select held: clocks tx out and fills rx (the same
	// size) with what the device shifted back. Failures are TransportErrors.
	virtual void transfer(ByteSpan tx, std::span<std::uint8_t> rx) = 0;
	virtual void set_speed(std::uint32_t hz) = 0;
};

struct SpiBusConfig {
	std::uint8_t mode = 0; // SPI mode 0..3 (clock polarity and phase)
	std::uint8_t bits_per_word = 8;
	std::uint32_t speed_hz = 0;
};

// /dev/spidevB.C through the kernel's spidev ioctls; opened exclusively (O_EXCL is not
// honoured by character devices, so an flock keeps other cooperating users out).
class SpidevBus final : public SpiBus {
public:
	SpidevBus(std::string path, const SpiBusConfig &config);

	void transfer(ByteSpan tx, std::span<std::uint8_t> rx) override;
	void set_speed(std::uint32_t hz) override;

private:
	std::string link() const { return "spidev " + path_; }

	std::string path_;
	UniqueFd fd_;
	std::uint32_t speed_hz_;
};

// spidev's default buffer (module parameter bufsiz) bounds a single transfer.
inline constexpr std::size_t kSpidevMaxTransfer = 4096;

} // namespace hashboard::transport
