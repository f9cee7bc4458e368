// SPDX-License-Identifier: MIT
// Work dispatch and nonce collection.
#include <hashboard/chain.hpp>
#include <hashboard/chain_job.hpp>
#include <hashboard/sha256.hpp>
#include <hashboard/target.hpp>

#include <cmath>
#include <stdexcept>

namespace hashboard {
std::uint8_t Chain::send_work(const Work &work)
{
	if (state_ == ChainState::off)
		throw std::logic_error("chain: send_work before enumerate");
	const ChipFamily &fam = family();
	const std::uint8_t job_id = next_job_id_;
	next_job_id_ = fam.next_job_id(next_job_id_);

	ChainJob encoded = encode_chain_job(fam, work, job_id);
	send(encoded.frame);

	// The checker gets the job as the chips got it: the frame decoded back, so a job
	// from a capture (hbctl frames replay) and one sent here are checked alike.
	SentJob sent;
	bm13xx::HostParser decoder;
	decoder.feed(encoded.frame, [&](const bm13xx::HostFrame &f) {
		if (const auto *mj = std::get_if<bm13xx::MidstateJob>(&f))
			sent.job = *mj;
		else if (const auto *hj = std::get_if<bm13xx::HeaderJob>(&f))
			sent.job = *hj;
	});
	sent.versions = std::move(encoded.versions);
	sent.version_mask = work.version_mask;
	sent.work_id = work.id;
	if (!jobs_.checker)
		jobs_.checker.emplace(fam, config_.live_jobs, config_.zero_bits);
	jobs_.checker->add_job(std::move(sent));
	++chain_stats_.jobs_sent;
	state_ = ChainState::running;
	return job_id;
}

Duration Chain::job_space_time() const
{
	const ChipFamily &fam = family();
	const NonceLayout &l = fam.nonce;
	const unsigned free_bits = 32 - l.core_bits - l.small_core_bits - l.addr_bits;
	const double versions =
		fam.job_format == JobFormat::header ? 65536.0 : double(fam.max_midstates);
	const double space = std::ldexp(1.0, int(free_bits)) * fam.small_cores * versions;
	const double seconds = space / fam.hashes_per_second(freq_mhz_);
	return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

void Chain::poll(Duration timeout, const std::function<void(const NonceEvent &)> &sink)
{
	const Duration deadline = clock_.now() + timeout;
	std::array<std::uint8_t, 1024> buf;
	for (;;) {
		const Duration now = clock_.now();
		if (now >= deadline)
			return;
		const std::size_t n = transport_.read(buf, deadline - now);
		if (n == 0)
			continue;
		parser_.feed(ByteSpan(buf.data(), n), [&](const bm13xx::ChipFrame &f) {
			++chain_stats_.replies;
			if (const auto *nr = std::get_if<bm13xx::NonceReply>(&f))
				handle_nonce(*nr, sink);
			else
				++chain_stats_.unexpected_register_replies;
		});
	}
}

void Chain::handle_nonce(const bm13xx::NonceReply &reply,
			 const std::function<void(const NonceEvent &)> &sink)
{
	const ChipFamily &fam = family();
	if (!jobs_.checker)
		jobs_.checker.emplace(fam, config_.live_jobs, config_.zero_bits);
	// Rebuilt when enumeration changed the chips (count, or the address step).
	if (!locator_ || locator_->size() != chips_.size() ||
	    (!chips_.empty() && locator_->address_of(unsigned(chips_.size() - 1)) !=
				    chips_.back().address)) {
		locator_.emplace(fam);
		for (unsigned i = 0; i < chips_.size(); ++i)
			locator_->add_chip(i, chips_[i].address);
	}
	jobs_.checker->set_ticket_log2(ticket_log2_);
	const NonceCheck c = jobs_.checker->check(reply);

	NonceEvent ev{};
	ev.when = clock_.now();
	ev.nonce = reply.nonce;
	ev.job_id = c.fields.job_id;
	ev.sub_id = c.fields.sub_id;
	ev.excess_difficulty = reply.excess_difficulty;
	ev.position = locator_->position(c.fields);
	ev.identity = {c.fields.core, c.fields.small_core,
		       ev.position ? chips_[*ev.position].address
				   : c.fields.address.value_or(0xFFFFu)};
	ev.work_id = c.work_id.value_or(0);
	ev.version = c.version.value_or(0);
	ev.hash = c.hash;
	ev.difficulty = c.difficulty;
	ev.verdict = c.verdict;
	// Stale and unknown-job nonces say nothing about the chip's work; the rest belong to
	// a chip, and one that no chip owns is unattributed.
	if (!ev.position && c.verdict != NonceVerdict::stale &&
	    c.verdict != NonceVerdict::unknown_job)
		ev.verdict = NonceVerdict::unattributed;

	if (ev.position) {
		ChipStats &s = stats_[*ev.position];
		switch (ev.verdict) {
		case NonceVerdict::valid:
			++s.valid;
			s.credited_hashes += std::ldexp(1.0, int(32 + ticket_log2_));
			++s.per_core_valid[ev.identity.core];
			++s.per_small_core_valid[{ev.identity.core, ev.identity.small_core}];
			break;
		case NonceVerdict::hw_error:
			++s.hw_errors;
			break;
		case NonceVerdict::duplicate:
			++s.duplicates;
			break;
		case NonceVerdict::stale:
			++s.stale;
			break;
		case NonceVerdict::unknown_job:
			++s.unknown_job;
			break;
		case NonceVerdict::unattributed:
			break;
		}
	} else {
		++chain_stats_.unattributed;
	}
	if (sink)
		sink(ev);
}

} // namespace hashboard
