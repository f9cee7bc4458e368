// SPDX-License-Identifier: MIT
//
// Nonce checking, shared by the Chain (jobs it sent) and hbctl frames replay (jobs decoded
// from a capture): both hand over the job as the chips got it, the decoded frame, so a
// captured job and a sent one go through the same code. Which chip sent a nonce is a
// separate piece (ChipLocator) because a capture may not say.
#pragma once

#include <boost/unordered/unordered_flat_set.hpp>

#include <hashboard/bm13xx/codec.hpp>
#include <hashboard/chip_family.hpp>
#include <hashboard/sha256.hpp>
#include <hashboard/target.hpp>

#include <bitset>
#include <cstdint>
#include <deque>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace hashboard {

// valid: meets the ticket; hw_error: below the ticket (or a midstate index the job does not
// have): the chip computed wrong; duplicate: this job's nonce and version came before;
// stale: the job id was answerable once but has been retired; unknown_job: no job ever
// had this id (a corrupt reply, or a capture that starts after the job went out);
// unattributed: no chip on the chain owns it (only where attribution is configured).
enum class NonceVerdict { valid, hw_error, duplicate, stale, unattributed, unknown_job };
std::string_view verdict_name(NonceVerdict v);

// A job as the chips got it. versions: midstate jobs, the version each midstate index was
// computed for (empty when unknown, as in a capture). version_mask: header jobs, the bits
// the chips roll (what 0xA4 holds: its low 16 bits are mask >> 13).
struct SentJob {
	std::variant<bm13xx::MidstateJob, bm13xx::HeaderJob> job;
	std::vector<std::uint32_t> versions;
	std::uint32_t version_mask = 0;
	std::optional<std::uint64_t> work_id; // the host's Work, when the host sent it
	std::uint8_t job_id() const;
};

struct NonceCheck {
	NonceVerdict verdict = NonceVerdict::unknown_job;
	ReplyFields fields{};
	std::uint8_t excess_difficulty = 0; // reply byte 4
	std::optional<std::uint64_t> work_id;
	// The version hashed: header jobs rolled from the reply's bits; midstate jobs the
	// midstate index's version when the job says it.
	std::optional<std::uint32_t> version;
	// What was hashed: header jobs the whole header; midstate jobs the midstate and the
	// 16-byte tail (merkle tail, ntime, nbits, nonce) of the second block.
	std::optional<sha256::Header> header;
	std::optional<sha256::State> midstate;
	std::optional<std::array<std::uint8_t, 16>> tail;
	bool hashed = false; // false for stale, unknown job and a missing midstate
	Hash256 hash{};
	double difficulty = 0; // share difficulty (pool scale)
	int leading_zeros = 0;
};

// The last `live_jobs` jobs, answerable by job id; a job id that comes round again retires
// the job that had it. zero_bits: leading zero bits of a ticket-difficulty-1 nonce (32 on
// chips, fewer on a simulator that scales work down).
class NonceChecker {
public:
	explicit NonceChecker(const ChipFamily &family, unsigned live_jobs = 4,
	                      unsigned zero_bits = kRealChipZeroBits);

	void add_job(SentJob job);
	// The nonce threshold: below 2^(zero_bits + k) hashes a nonce is a hardware error.
	void set_ticket_log2(unsigned k) { ticket_log2_ = k; }
	unsigned ticket_log2() const { return ticket_log2_; }
	// Checks a reply; a valid one is remembered, so that the same one again is a
	// duplicate.
	NonceCheck check(const bm13xx::NonceReply &reply);
	const SentJob *job(std::uint8_t job_id) const;
	void clear();

private:
	struct Live {
		SentJob sent;
		std::uint8_t reply_id; // the job id as replies carry it
		// (nonce << 32 | version or sub): one per valid nonce, so a flat set (no node
		// allocation per nonce; mining at thousands of nonces a second feels it).
		boost::unordered_flat_set<std::uint64_t> seen;
	};

	const ChipFamily *family_;
	unsigned live_jobs_;
	unsigned zero_bits_;
	unsigned ticket_log2_ = 0;
	std::deque<Live> jobs_;  // newest last
	std::bitset<128> known_; // job ids a job ever had
};

// Which chip on the chain sent a nonce: the chip whose start is the highest at or below
// the nonce's field. address_field families (BM1397, BM1366): the address in the nonce
// against each chip's address; offset_range families (BM1370/68): the counter field
// against each chip's CHIP_NONCE_OFFSET low 16 bits (0x0C, enable bit 31), or address << 8
// when 0x0C was not written. (Chain keeps its own position_of, fed by its bring-up.)
class ChipLocator {
public:
	// address_step: on address-field families a chip owns the addresses from its own up
	// to the next chip's; past the last chip's + address_step nothing is a chip's (0:
	// unbounded, when the spacing is not known, as in a capture replay).
	explicit ChipLocator(const ChipFamily &family, unsigned address_step = 0);
	ChipLocator() = default; // knows no chip: every nonce is unattributed
	// The chip at chain position `position` has `address` (set-address order).
	void add_chip(unsigned position, std::uint8_t address);
	// A 0x0C write: to one chip, or to all (nullopt).
	void set_nonce_offset(std::optional<std::uint8_t> address, std::uint32_t value);
	std::optional<unsigned> position(const ReplyFields &fields) const;
	// The address of the chip at a position (nullopt when none).
	std::optional<std::uint8_t> address_of(unsigned position) const;
	// Where a position's counter range starts (offset_range families): its 0x0C offset,
	// or address << 8 before one is written.
	std::optional<std::uint32_t> range_start(unsigned position) const;
	std::size_t size() const { return chips_.size(); }

private:
	struct Chip {
		unsigned position;
		std::uint8_t address;
		std::optional<std::uint32_t> offset; // 0x0C with the enable bit
	};
	std::uint32_t start_of(const Chip &c) const;

	ChipAttribution attribution_ = ChipAttribution::address_field;
	unsigned address_step_ = 0;
	std::vector<Chip> chips_;
};

} // namespace hashboard
