// SPDX-License-Identifier: MIT
//
// hbctl frames replay: captured traffic run through the HAL's own job table and nonce
// check (hashboard::NonceChecker), as the chain would. Host frames are taken in stream
// order: job frames enter the table; writes that change what a nonce means are followed
// (0xA4 version mask, 0x14 ticket mask, 0x0C nonce offsets, set-address for attribution).
#pragma once

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/chip_family.hpp>
#include <hashboard/nonce_checker.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace hbctl {

// A nonce reply, checked.
struct ReplayedNonce {
	hashboard::NonceCheck check;
	hashboard::NonceVerdict verdict; // check.verdict, or unattributed
	std::optional<unsigned> chip;    // position, when the capture enumerated the chain
	std::optional<std::uint8_t> address;
	unsigned ticket_log2 = 0;
	// Byte 4 against the hash (BM1366+; nullopt where byte 4 means something else or the
	// nonce was not hashed): whole bits above the ticket, as the hash has them.
	std::optional<int> hash_excess_bits;
	bool excess_agrees = false;
};

struct ReplayedJob {
	std::uint8_t job_id;
	bool header_job;
	unsigned midstates;         // midstate jobs
	std::uint32_t version_mask; // header jobs: what 0xA4 held when it went out
};

struct ChipTally {
	std::optional<std::uint8_t> address;
	std::map<hashboard::NonceVerdict, std::uint64_t> verdicts;
};

class Replay {
public:
	Replay(const hashboard::ChipFamily &family, unsigned live_jobs);

	// A good host frame; returns the job when it was one.
	std::optional<ReplayedJob> host_frame(const hashboard::bm13xx::HostFrame &frame);
	ReplayedNonce nonce(const hashboard::bm13xx::NonceReply &reply);

	const std::map<hashboard::NonceVerdict, std::uint64_t> &verdicts() const
	{
		return verdicts_;
	}
	// Per chip position (only when the capture enumerated the chain).
	const std::map<unsigned, ChipTally> &chips() const { return chips_; }
	std::uint64_t jobs() const { return jobs_; }
	std::uint64_t nonces() const { return nonces_; }
	bool attributing() const { return locator_.size() > 0; }
	std::uint32_t version_mask() const { return version_mask_; }
	unsigned ticket_log2() const { return checker_.ticket_log2(); }

private:
	void write_register(const hashboard::bm13xx::WriteRegister &w);

	const hashboard::ChipFamily &family_;
	hashboard::NonceChecker checker_;
	hashboard::ChipLocator locator_;
	// Until a 0xA4 write is seen, what every public host writes (0x9000FFFF): all 16 bits.
	std::uint32_t version_mask_ = 0x1fffe000;
	unsigned next_position_ = 0;
	bool reenumerating_ = false;
	std::uint64_t jobs_ = 0, nonces_ = 0;
	std::map<hashboard::NonceVerdict, std::uint64_t> verdicts_;
	std::map<unsigned, ChipTally> chips_;
};

} // namespace hbctl
