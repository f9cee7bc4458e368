// SPDX-License-Identifier: MIT
#pragma once

#include "unique_fd.hpp"
#include "uri.hpp"

#include <hashboard/transport.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace hashboard::transport {

// kdev:/dev/hashboardN[?mode=raw|framed&reply=9|11&wake_records=N&wake_us=US]
enum class KdevMode { raw, framed };
struct KdevSettings {
	std::string path;
	KdevMode mode = KdevMode::raw;
	std::optional<std::uint32_t> reply_len; // framed mode: 9 or 11; the kernel's if unset
	// HASHBOARD_IOC_SET_WAKEUP: the reader wakes once wake_records records are queued
	// or the oldest is wake_us old. Unset: every record wakes it (the kernel's default).
	std::optional<std::uint32_t> wake_records; // 1..512
	std::optional<std::uint32_t> wake_us;      // 1..1000000, needed when wake_records > 1
};
inline constexpr std::array<std::string_view, 4> kKdevOptions{"mode", "reply", "wake_records",
                                                              "wake_us"};
KdevSettings kdev_settings(const TransportUri &uri);

// What the device says of itself (HASHBOARD_IOC_GET_INFO).
struct KdevInfo {
	std::uint32_t abi_version = 0;
	std::string transport; // "ldisc", "serdev", "spi"
	bool has_reset = false;
	bool has_power = false;
	bool has_baud = false;
	std::uint32_t baud = 0;
	std::uint32_t chain_id = 0;
	std::string family;
	std::string driver_version;
};

// A chain through hashboard.ko's /dev/hashboardN. The kernel does the line (ldisc,
// serdev or SPI), this transport moves frames and reads records. Raw mode (the default)
// hands the chain's bytes on as received, so the HAL's own parser sees exactly what a
// tty: link would give it; framed mode has the kernel sync and CRC-check replies first,
// fewer wake-ups for the same frames. Reset is the kernel's pulse ioctl: the line is
// pulsed on release for as long as it was held (1..1000 ms), which keeps the
// hold-then-release order bring-up expects. Opening a device that is not a hashboard
// chain, or one with an older ABI, is refused.
//
// readable_fd() is the device: it polls readable whenever a read() would return at
// once (with wake_records=, once that many records wait or the oldest is wake_us old:
// the kernel's threshold holds for poll and for this transport's reads alike), for
// readers whose buffers hold a whole record (kdev_max_record_bytes(), 80
// bytes; every HAL reader uses 512 or more). Smaller reads are served from a leftover
// the descriptor cannot show.
class KdevTransport final : public Transport {
public:
	KdevTransport(const KdevSettings &settings, const Clock &clock);

	void write(ByteSpan data) override;
	std::size_t read(std::span<std::uint8_t> buf, Duration timeout) override;
	void set_baud(std::uint32_t baud) override;
	std::uint32_t baud() const override { return baud_; }
	void flush_input() override;
	bool has_reset() const override { return info_.has_reset; }
	void set_reset(bool asserted) override;
	std::string describe() const override;
	int readable_fd() const override { return fd_.get(); }

	const KdevInfo &info() const { return info_; }
	// Records the kernel dropped because its FIFO was full, as their successors said.
	std::uint64_t overruns() const { return overruns_; }

private:
	std::string link() const { return "kdev " + settings_.path; }
	std::size_t take(std::span<std::uint8_t> buf);

	KdevSettings settings_;
	const Clock &clock_;
	UniqueFd fd_;
	KdevInfo info_;
	std::uint32_t baud_;
	std::optional<Duration> reset_since_;
	Bytes records_;  // one read()'s records
	Bytes leftover_; // payload a small read() could not take
	std::size_t leftover_head_ = 0;
	std::uint64_t overruns_ = 0;
};

std::unique_ptr<Transport> open_kdev_transport(const TransportUri &uri, Clock &clock);

} // namespace hashboard::transport
