// SPDX-License-Identifier: MIT
// Work dispatch and nonce collection.
#include <hashboard/chain.hpp>
#include <hashboard/chain_job.hpp>
#include <hashboard/sha256.hpp>
#include <hashboard/target.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace hashboard {
std::uint8_t Chain::send_work(const Work &work)
{
	require(Operation::send_work);
	const ChipFamily &fam = family();
	// The pool's version mask reaches the chips' 0xA4 before a job that rolls with it.
	if (fam.regs.version_rolling && work.version_mask != version_mask_)
		set_version_mask(work.version_mask);
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

unsigned ChipStats::cores_seen() const
{
	return unsigned(std::count_if(per_core_valid.begin(), per_core_valid.end(),
	                              [](std::uint32_t n) { return n > 0; }));
}

void Chain::poll(Duration timeout, const std::function<void(const NonceEvent &)> &sink)
{
	require(Operation::poll);
	const Duration deadline = clock_.now() + timeout;
	if (!jobs_.held.empty()) {
		std::vector<NonceEvent> held;
		held.swap(jobs_.held);
		if (sink)
			for (const auto &ev : held)
				sink(ev);
	}
	std::array<std::uint8_t, 1024> buf;
	// At least one read, even with no time left: a caller that waited for the link to
	// be readable (Board::poll over several links) polls with a zero timeout to take
	// what is there. Past the deadline, reads go on only while they fill the buffer: a
	// short read took what there was, and one more read would only find nothing (a
	// system call per wake-up, on a board that wakes for every nonce).
	for (;;) {
		const Duration left = std::max(deadline - clock_.now(), Duration::zero());
		const std::size_t n = transport_.read(buf, left);
		if (n == 0) {
			if (clock_.now() >= deadline)
				return;
			continue;
		}
		const bool drained = n < buf.size() && clock_.now() >= deadline;
		parser_.feed(ByteSpan(buf.data(), n), [&](const bm13xx::ChipFrame &f) {
			++chain_stats_.replies;
			if (const auto *nr = std::get_if<bm13xx::NonceReply>(&f))
				handle_nonce(*nr, sink);
			else
				++chain_stats_.unexpected_register_replies;
		});
		if (drained)
			return;
	}
}

void Chain::handle_nonce(const bm13xx::NonceReply &reply,
                         const std::function<void(const NonceEvent &)> &sink)
{
	const ChipFamily &fam = family();
	if (!jobs_.checker)
		jobs_.checker.emplace(fam, config_.live_jobs, config_.zero_bits);
	jobs_.checker->set_ticket_log2(ticket_log2_);
	const NonceCheck c = jobs_.checker->check(reply);

	NonceEvent ev{};
	ev.when = clock_.now();
	ev.nonce = reply.nonce;
	ev.job_id = c.fields.job_id;
	ev.sub_id = c.fields.sub_id;
	ev.excess_difficulty = reply.excess_difficulty;
	ev.identity = {c.fields.core, c.fields.small_core,
	               c.fields.address ? unsigned(*c.fields.address) : c.fields.range_value};
	ev.position = locator_.position(c.fields);
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
			if (ev.identity.core >= s.per_core_valid.size())
				s.per_core_valid.resize(ev.identity.core + 1);
			++s.per_core_valid[ev.identity.core];
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
