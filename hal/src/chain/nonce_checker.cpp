// SPDX-License-Identifier: MIT
// The job table and the SHA-256d re-check of every nonce (Chain and hbctl frames replay).
#include <hashboard/nonce_checker.hpp>
#include <hashboard/target.hpp>
#include <hashboard/work.hpp>

#include <algorithm>
#include <stdexcept>

namespace hashboard {
namespace {

// The id as byte 5 of a reply can carry it. Ids that differ only in bits the family's
// byte 5 drops cannot be told apart in replies, so the table keys jobs by this form: the
// newer of two such jobs retires the older, as a reused id does.
std::uint8_t reply_form(const ChipFamily &family, std::uint8_t job_id)
{
	bm13xx::NonceReply r;
	r.job_byte = encode_reply_job_byte(family, job_id, 0);
	return decode_nonce_reply(family, r).job_id & 0x7F;
}

sha256::Header header_of(const bm13xx::HeaderJob &job, std::uint32_t version, std::uint32_t nonce)
{
	sha256::Header h{};
	store_le32(h.data(), version);
	std::copy(job.prev_hash.begin(), job.prev_hash.end(), h.begin() + 4);
	std::copy(job.merkle_root.begin(), job.merkle_root.end(), h.begin() + 36);
	store_le32(h.data() + 68, job.ntime);
	store_le32(h.data() + 72, job.nbits);
	store_le32(h.data() + 76, nonce);
	return h;
}

} // namespace

std::string_view verdict_name(NonceVerdict v)
{
	switch (v) {
	case NonceVerdict::valid:
		return "valid";
	case NonceVerdict::hw_error:
		return "hw_error";
	case NonceVerdict::duplicate:
		return "duplicate";
	case NonceVerdict::stale:
		return "stale";
	case NonceVerdict::unattributed:
		return "unattributed";
	case NonceVerdict::unknown_job:
		return "unknown_job";
	}
	return "?";
}

std::uint8_t SentJob::job_id() const
{
	return std::visit([](const auto &j) { return j.job_id; }, job);
}

NonceChecker::NonceChecker(const ChipFamily &family, unsigned live_jobs, unsigned zero_bits)
    : family_(&family), live_jobs_(live_jobs), zero_bits_(zero_bits)
{
	if (live_jobs == 0)
		throw std::invalid_argument("nonce checker: at least one live job");
}

void NonceChecker::add_job(SentJob job)
{
	const std::uint8_t id = reply_form(*family_, job.job_id());
	std::erase_if(jobs_, [&](const Live &l) { return l.reply_id == id; });
	jobs_.push_back({std::move(job), id, {}});
	known_.set(id);
	while (jobs_.size() > live_jobs_)
		jobs_.pop_front();
}

const SentJob *NonceChecker::job(std::uint8_t job_id) const
{
	const std::uint8_t id = reply_form(*family_, job_id);
	for (const auto &l : jobs_)
		if (l.reply_id == id)
			return &l.sent;
	return nullptr;
}

void NonceChecker::clear()
{
	jobs_.clear();
	known_.reset();
}

NonceCheck NonceChecker::check(const bm13xx::NonceReply &reply)
{
	NonceCheck c;
	c.fields = decode_nonce_reply(*family_, reply);
	c.excess_difficulty = reply.excess_difficulty;
	const std::uint8_t id = c.fields.job_id & 0x7F;
	Live *live = nullptr;
	for (auto &l : jobs_)
		if (l.reply_id == id)
			live = &l;
	if (!live) {
		c.verdict = known_.test(id) ? NonceVerdict::stale : NonceVerdict::unknown_job;
		return c;
	}
	c.work_id = live->sent.work_id;

	std::uint32_t seen_key = 0;
	if (const auto *hj = std::get_if<bm13xx::HeaderJob>(&live->sent.job)) {
		// A 9-byte reply (rolling off) hashed the job's version as sent.
		c.version =
		    reply.version_bits
		        ? rolled_version(hj->version, live->sent.version_mask, *reply.version_bits)
		        : hj->version;
		c.header = header_of(*hj, *c.version, reply.nonce);
		c.hash = sha256::sha256d_header(*c.header);
		seen_key = *c.version;
	} else {
		const auto &mj = std::get<bm13xx::MidstateJob>(live->sent.job);
		const unsigned sub = c.fields.sub_id;
		if (sub < live->sent.versions.size())
			c.version = live->sent.versions[sub];
		if (sub >= mj.midstates.size()) {
			// A midstate the job never carried: the chip's fault.
			c.verdict = NonceVerdict::hw_error;
			return c;
		}
		c.midstate = mj.midstates[sub];
		std::array<std::uint8_t, 16> tail{};
		store_le32(tail.data(), mj.merkle_tail);
		store_le32(tail.data() + 4, mj.ntime);
		store_le32(tail.data() + 8, mj.nbits);
		store_le32(tail.data() + 12, reply.nonce);
		c.tail = tail;
		c.hash = sha256::sha256d_from_midstate(*c.midstate, tail.data());
		seen_key = sub;
	}
	c.hashed = true;
	c.difficulty = hash_difficulty(c.hash);
	c.leading_zeros = hash_leading_zeros(c.hash);
	if (c.leading_zeros < int(zero_bits_ + ticket_log2_))
		c.verdict = NonceVerdict::hw_error;
	else if (!live->seen.insert(std::uint64_t(reply.nonce) << 32 | seen_key).second)
		c.verdict = NonceVerdict::duplicate;
	else
		c.verdict = NonceVerdict::valid;
	return c;
}

ChipLocator::ChipLocator(const ChipFamily &family, unsigned address_step)
    : attribution_(family.nonce.attribution), address_step_(address_step)
{
}

std::uint32_t ChipLocator::start_of(const Chip &c) const
{
	return attribution_ == ChipAttribution::address_field
	           ? c.address
	           : c.offset.value_or(std::uint32_t(c.address) << 8);
}

std::optional<std::uint32_t> ChipLocator::range_start(unsigned position) const
{
	for (const auto &c : chips_)
		if (c.position == position)
			return start_of(c);
	return std::nullopt;
}

void ChipLocator::add_chip(unsigned position, std::uint8_t address)
{
	std::erase_if(chips_, [&](const Chip &c) { return c.position == position; });
	chips_.push_back({position, address, std::nullopt});
}

void ChipLocator::set_nonce_offset(std::optional<std::uint8_t> address, std::uint32_t value)
{
	// Bit 31 enables the offset; a chip with it clear counts from its address again.
	const std::optional<std::uint32_t> offset =
	    value & 0x80000000u ? std::optional(value & 0xFFFFu) : std::nullopt;
	for (auto &c : chips_)
		if (!address || c.address == *address)
			c.offset = offset;
}

std::optional<unsigned> ChipLocator::position(const ReplyFields &fields) const
{
	// Both kinds are ranges: a chip's counter runs on into the address bits below the
	// next chip's address (BM1366: bit 17 is a counter bit on interval-2 chains), so the
	// owner is the chip with the highest start not above the nonce's value.
	if (attribution_ == ChipAttribution::address_field && !fields.address)
		return std::nullopt;
	const std::uint32_t value =
	    attribution_ == ChipAttribution::address_field ? *fields.address : fields.range_value;
	const Chip *best = nullptr;
	std::uint32_t best_start = 0;
	for (const auto &c : chips_) {
		const std::uint32_t start = start_of(c);
		if (start <= value && (!best || start > best_start)) {
			best = &c;
			best_start = start;
		}
	}
	if (best && attribution_ == ChipAttribution::address_field && address_step_ &&
	    value >= best_start + address_step_)
		return std::nullopt; // beyond the last chip's addresses: no chip's
	return best ? std::optional(best->position) : std::nullopt;
}

std::optional<std::uint8_t> ChipLocator::address_of(unsigned position) const
{
	for (const auto &c : chips_)
		if (c.position == position)
			return c.address;
	return std::nullopt;
}

} // namespace hashboard
