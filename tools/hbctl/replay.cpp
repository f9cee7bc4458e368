// SPDX-License-Identifier: MIT
#include "replay.hpp"

#include <hashboard/target.hpp>

#include <cmath>

namespace hbctl {
namespace {

namespace bm = hashboard::bm13xx;
using hashboard::NonceVerdict;

// Leading zero bits of the hash with the fraction (256 - log2 of the hash as a number).
double zero_bits(const hashboard::Hash256 &hash)
{
	const double v = hashboard::U256::from_hash(hash).to_double();
	return v > 0 ? 256.0 - std::log2(v) : 256.0;
}

} // namespace

Replay::Replay(const hashboard::ChipFamily &family, unsigned live_jobs)
    : family_(family), checker_(family, live_jobs), locator_(family)
{
}

void Replay::write_register(const bm::WriteRegister &w)
{
	const auto &regs = family_.regs;
	if (regs.version_rolling && w.reg == *regs.version_rolling) {
		// The low 16 bits are the mask >> 13 (header bits 28..13).
		version_mask_ = (w.value & 0xFFFFu) << 13;
	} else if (w.reg == regs.ticket_mask) {
		// Per-chip ticket masks are not modelled: the last write sets the threshold.
		if (const auto k = bm::ticket_mask_difficulty_log2(w.value))
			checker_.set_ticket_log2(*k);
	} else if (regs.chip_nonce_offset && w.reg == *regs.chip_nonce_offset) {
		locator_.set_nonce_offset(w.all ? std::nullopt : std::optional(w.chip), w.value);
	}
}

std::optional<ReplayedJob> Replay::host_frame(const bm::HostFrame &frame)
{
	if (const auto *w = std::get_if<bm::WriteRegister>(&frame)) {
		write_register(*w);
	} else if (std::holds_alternative<bm::ChainInactive>(frame)) {
		// Hosts send chain-inactive before addressing the chain: the set-address run
		// that follows numbers the chips afresh.
		reenumerating_ = true;
	} else if (const auto *sa = std::get_if<bm::SetAddress>(&frame)) {
		if (reenumerating_) {
			locator_ = hashboard::ChipLocator(family_);
			next_position_ = 0;
			reenumerating_ = false;
		}
		locator_.add_chip(next_position_++, sa->address);
	} else if (const auto *mj = std::get_if<bm::MidstateJob>(&frame)) {
		// A capture carries midstates only: the version each was rolled to is unknown.
		checker_.add_job({*mj, {}, 0, std::nullopt});
		++jobs_;
		return ReplayedJob{mj->job_id, false, unsigned(mj->midstates.size()), 0};
	} else if (const auto *hj = std::get_if<bm::HeaderJob>(&frame)) {
		checker_.add_job({*hj, {}, version_mask_, std::nullopt});
		++jobs_;
		return ReplayedJob{hj->job_id, true, 1, version_mask_};
	}
	return std::nullopt;
}

ReplayedNonce Replay::nonce(const bm::NonceReply &reply)
{
	ReplayedNonce r;
	r.check = checker_.check(reply);
	r.verdict = r.check.verdict;
	r.ticket_log2 = checker_.ticket_log2();
	if (attributing()) {
		r.chip = locator_.position(r.check.fields);
		if (r.chip)
			r.address = locator_.address_of(*r.chip);
		// As the chain does: stale and unknown-job nonces say nothing about a chip.
		else if (r.verdict != NonceVerdict::stale && r.verdict != NonceVerdict::unknown_job)
			r.verdict = NonceVerdict::unattributed;
	}
	// Byte 4 is the excess difficulty on the version-rolling families (capture); its low
	// bit (half a bit) is not reliable, so whole bits are compared.
	if (family_.regs.version_rolling && r.check.hashed) {
		r.hash_excess_bits =
		    int(std::floor(zero_bits(r.check.hash) - 32.0 - double(r.ticket_log2)));
		r.excess_agrees = *r.hash_excess_bits == int(reply.excess_difficulty >> 1);
	}
	++nonces_;
	++verdicts_[r.verdict];
	if (r.chip) {
		ChipTally &t = chips_[*r.chip];
		t.address = r.address;
		++t.verdicts[r.verdict];
	}
	return r;
}

} // namespace hbctl
