// SPDX-License-Identifier: MIT
//
// Drives a SimChain directly in virtual time, as a host would: encoded frames in, the
// reply byte stream through a ReplyParser out. Shared by the test_sim_*.cpp programs.
#pragma once

#include <hbsim/sim_chain.hpp>

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/chip_family.hpp>
#include <hashboard/sha256.hpp>
#include <hashboard/target.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace simtest {

using namespace std::chrono_literals;
using hashboard::Bytes;
using hashboard::Duration;
namespace bm = hashboard::bm13xx;

inline hbsim::ChainConfig config(std::string_view family, unsigned chips, unsigned zero_bits = 8)
{
	hbsim::ChainConfig c;
	c.family = &hashboard::family_by_name(family);
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
	explicit Rig(hbsim::ChainConfig c) : chain(std::move(c)), parser(9) {}

	hbsim::SimChain chain;
	Duration t{0};
	bm::ReplyParser parser;
	std::vector<bm::ChipFrame> frames;
	Bytes raw;

	const hashboard::ChipFamily &family() const { return *chain.config().family; }

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
	// Version rolling first where the family has it (replies grow to 11 bytes), then
	// chain inactive and one address per chip, step apart.
	void enumerate(unsigned chips, unsigned step)
	{
		if (const auto reg = family().regs.version_rolling) {
			write(true, 0, *reg, family().version_rolling_value);
			parser.set_reply_len(family().reply_len);
		}
		send(bm::encode_chain_inactive());
		for (unsigned i = 0; i < chips; ++i)
			send(bm::encode_set_address(std::uint8_t(i * step)));
		run(50ms);
	}
	void set_frequency(double mhz)
	{
		const auto pll = hashboard::pll_for_frequency(family(), mhz);
		write(true, 0, family().regs.pll0, hashboard::pll_register_value(family(), *pll));
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
