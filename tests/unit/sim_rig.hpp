// SPDX-License-Identifier: MIT
//
// Drives a SimChain directly in virtual time, as a host would: encoded frames in, the
// reply byte stream through a ReplyParser out. Shared by the test_sim_*.cpp programs.
// Register values are the chips' facts (shared/reference/bm13xx.md) or come from the
// simulator's own chip model: never from the HAL's family table the simulator checks.
#pragma once

#include <hbsim/sim_chain.hpp>

#include "chip_model.hpp"
#include "nonce_layout.hpp"

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/sha256.hpp>
#include <hashboard/target.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace simtest {

using namespace std::chrono_literals;
using hashboard::Bytes;
using hashboard::Duration;
namespace bm = hashboard::bm13xx;
namespace sd = hbsim::detail;
// The host's side of the wire (the core's wire.hpp), which the simulated chips must meet.
using hashboard::kBitsPerByte;
using hashboard::kCrystalHz;
using hashboard::kResetBaud;
using hashboard::kResetHostBaud;

// Register addresses and values open firmware writes (reference, captures).
inline constexpr std::uint8_t kRegPll0 = 0x08;
inline constexpr std::uint8_t kRegChipNonceOffset = 0x0C;
inline constexpr std::uint8_t kRegHashCounting = 0x10;
inline constexpr std::uint8_t kRegTicketMask = 0x14;
inline constexpr std::uint8_t kRegMiscControl = 0x18;
inline constexpr std::uint8_t kRegUartBaud = 0x28;
inline constexpr std::uint8_t kRegPll0Divider = 0x70;
inline constexpr std::uint8_t kRegHashCounter = 0x8C;
inline constexpr std::uint8_t kRegVersionRolling = 0xA4;
inline constexpr std::uint32_t kRollingAll = 0x9000FFFF;       // capture
inline constexpr std::uint32_t kReportAll = 0xF000C100;        // capture
inline constexpr std::uint32_t kHashCountingS21Pro = 0x1EB5;   // capture
inline constexpr std::uint32_t kBm1397PllDivider = 0x0F0F0F00; // firmware

// A PLL0 word the chip decodes to exactly mhz (found with the simulator's decoder,
// encoded as the reference says: BM1366+ post dividers minus one, BM1397 raw).
inline std::uint32_t pll_word(const sd::ChipModel &m, double mhz)
{
	for (unsigned ref = 1; ref <= 2; ++ref)
		for (unsigned p1 = 1; p1 <= 7; ++p1)
			for (unsigned p2 = 1; p2 <= p1; ++p2) {
				const double fb = mhz * ref * p1 * p2 / (kCrystalHz / 1e6);
				if (fb != std::floor(fb) || fb < 1 || fb > 4095)
					continue;
				const double vco = kCrystalHz / 1e6 * fb / ref;
				const std::uint32_t post =
				    m.midstate_jobs() ? (p1 << 4 | p2) : ((p1 - 1) << 4 | (p2 - 1));
				const std::uint32_t flag =
				    vco >= 2400 && m.header_jobs() ? 0x50 : 0x40;
				const std::uint32_t w =
				    flag << 24 | std::uint32_t(fb) << 16 | ref << 8 | post;
				if (sd::pll_output_mhz(m, w, 0) == mhz)
					return w;
			}
	throw std::invalid_argument("no PLL word for that frequency");
}

inline hbsim::SimChainConfig config(std::string_view family, unsigned chips, unsigned zero_bits = 8)
{
	hbsim::SimChainConfig c;
	c.family = std::string(family);
	c.chips = chips;
	c.zero_bits = zero_bits;
	return c;
}

// A byte as the host saw it, with when it became readable.
struct RxByte {
	Duration t;
	std::uint8_t value;
	bool operator==(const RxByte &) const = default;
};

class Rig {
public:
	explicit Rig(hbsim::SimChainConfig c) : chain(std::move(c)), parser(bm::kReplyLen) {}

	hbsim::SimChain chain;
	Duration t{0};
	bm::ReplyParser parser;
	std::vector<bm::ChipFrame> frames;
	Bytes raw;

	const sd::ChipModel &model() const { return sd::chip_model(chain.config().family); }

	void send(const Bytes &frame) { chain.host_write(t, frame); }
	// Lets d of virtual time pass and reads everything that reached the host.
	void run(Duration d)
	{
		t += d;
		chain.advance_to(t);
		std::array<std::uint8_t, 512> buf;
		while (const std::size_t n = chain.host_read(t, buf)) {
			raw.insert(raw.end(), buf.begin(), buf.begin() + std::ptrdiff_t(n));
			parser.feed(hashboard::ByteSpan(buf.data(), n),
			            [&](const bm::ChipFrame &f) { frames.push_back(f); });
		}
	}

	std::vector<bm::RegisterReply> registers() const
	{
		std::vector<bm::RegisterReply> out;
		for (const auto &f : frames)
			if (const auto *r = std::get_if<bm::RegisterReply>(&f))
				out.push_back(*r);
		return out;
	}
	std::vector<bm::NonceReply> nonces() const
	{
		std::vector<bm::NonceReply> out;
		for (const auto &f : frames)
			if (const auto *r = std::get_if<bm::NonceReply>(&f))
				out.push_back(*r);
		return out;
	}

	void write(bool all, std::uint8_t chip, std::uint8_t reg, std::uint32_t value)
	{
		send(bm::encode_write_register(all, chip, reg, value));
		run(5ms);
	}
	// Register replies to one read (long enough for a 256-chip chain at the reset baud).
	std::vector<bm::RegisterReply> read(bool all, std::uint8_t chip, std::uint8_t reg)
	{
		frames.clear();
		send(bm::encode_read_register(all, chip, reg));
		run(300ms);
		std::vector<bm::RegisterReply> out;
		for (const auto &r : registers())
			if (r.reg == reg)
				out.push_back(r);
		return out;
	}
	// Version rolling first on BM1366+ (replies grow to 11 bytes), then chain inactive
	// and one address per chip, step apart; then what the chips need before they hash
	// and report (BM1366+: the hash counting number and the report enables).
	void enumerate(unsigned chips, unsigned step)
	{
		if (model().header_jobs()) {
			write(true, 0, kRegVersionRolling, kRollingAll);
			parser.set_reply_len(bm::kRollingReplyLen);
		}
		send(bm::encode_chain_inactive());
		for (unsigned i = 0; i < chips; ++i)
			send(bm::encode_set_address(std::uint8_t(i * step)));
		run(50ms);
		enable_hashing();
	}
	void enable_hashing()
	{
		if (!model().header_jobs())
			return;
		write(true, 0, kRegHashCounting, kHashCountingS21Pro);
		write(true, 0, kRegMiscControl, kReportAll);
	}
	void set_frequency(double mhz)
	{
		if (model().midstate_jobs())
			write(true, 0, kRegPll0Divider, kBm1397PllDivider);
		write(true, 0, kRegPll0, pll_word(model(), mhz));
	}
};

// Every byte the host can read, with its arrival time, reading each one exactly when
// next_rx_time() says it is due, while the chain runs to `end` in steps of `step`.
inline std::vector<RxByte> timed_stream(hbsim::SimChain &chain, Duration from, Duration end,
                                        Duration step)
{
	std::vector<RxByte> out;
	for (Duration t = from; t < end;) {
		t = std::min(end, t + step);
		chain.advance_to(t);
		while (const auto due = chain.next_rx_time()) {
			if (*due > t)
				break;
			std::uint8_t b;
			if (chain.host_read(*due, std::span(&b, 1)) != 1)
				break;
			out.push_back({*due, b});
		}
	}
	return out;
}

// A real block header (height 100000) to build jobs from.
inline hashboard::sha256::Header block_header()
{
	const Bytes h = hashboard::from_hex(
	    "0100000050120119172a610421a6c3011dd330d9df07b63616c2cc1f1cd00200000000006657a925"
	    "2aacd5c0b2940996ecff952228c3067cc38d4885efb5a4ac4247e9f337221b4d4c86041b0f2b5710");
	hashboard::sha256::Header out;
	std::copy(h.begin(), h.end(), out.begin());
	return out;
}

inline hashboard::sha256::Header with_version_nonce(hashboard::sha256::Header h,
                                                    std::uint32_t version, std::uint32_t nonce)
{
	hashboard::store_le32(h.data(), version);
	hashboard::store_le32(h.data() + 76, nonce);
	return h;
}

inline bm::HeaderJob header_job(std::uint8_t job_id, const hashboard::sha256::Header &h)
{
	bm::HeaderJob job;
	job.job_id = job_id;
	job.version = hashboard::load_le32(h.data());
	std::copy(h.begin() + 4, h.begin() + 36, job.prev_hash.begin());
	std::copy(h.begin() + 36, h.begin() + 68, job.merkle_root.begin());
	job.ntime = hashboard::load_le32(h.data() + 68);
	job.nbits = hashboard::load_le32(h.data() + 72);
	return job;
}

// Midstates for versions base | i << 13, i = 0..count-1 (the host's part on BM1397).
inline bm::MidstateJob midstate_job(std::uint8_t job_id, const hashboard::sha256::Header &h,
                                    unsigned count)
{
	bm::MidstateJob job;
	job.job_id = job_id;
	job.merkle_tail = hashboard::load_le32(h.data() + 64);
	job.ntime = hashboard::load_le32(h.data() + 68);
	job.nbits = hashboard::load_le32(h.data() + 72);
	for (unsigned i = 0; i < count; ++i)
		job.midstates.push_back(hashboard::sha256::midstate(
		    with_version_nonce(h, hashboard::load_le32(h.data()) | i << 13, 0)));
	return job;
}

inline int zeros_of(const hashboard::sha256::Header &h)
{
	return hashboard::hash_leading_zeros(hashboard::sha256::sha256d_header(h));
}

} // namespace simtest
