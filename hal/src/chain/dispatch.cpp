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
	// The pool's version mask reaches the chips' 0xA4 before a job that rolls with it.
	if (fam.regs.version_rolling && work.version_mask != version_mask_)
		set_version_mask(work.version_mask);
	LiveJob job{work, next_job_id_, {}, {}};
	next_job_id_ = fam.next_job_id(next_job_id_);

	ChainJob encoded = encode_chain_job(fam, work, job.job_id);
	job.versions = std::move(encoded.versions);
	send(encoded.frame);

	// A job id that comes round again retires the job that had it.
	std::erase_if(jobs_, [&](const LiveJob &j) { return j.job_id == job.job_id; });
	jobs_.push_back(std::move(job));
	while (jobs_.size() > config_.live_jobs)
		jobs_.pop_front();
	++chain_stats_.jobs_sent;
	state_ = ChainState::running;
	return jobs_.back().job_id;
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
	NonceEvent ev{};
	ev.when = clock_.now();
	ev.nonce = reply.nonce;
	const ReplyFields fields = decode_nonce_reply(fam, reply);
	ev.job_id = fields.job_id;
	ev.identity = {fields.core, fields.small_core,
		       fields.address ? unsigned(*fields.address) : fields.range_value};
	ev.position = position_of(fields);
	const unsigned subid = fields.sub_id;

	auto emit = [&](NonceVerdict v) {
		ev.verdict = v;
		if (ev.position) {
			ChipStats &s = stats_[*ev.position];
			switch (v) {
			case NonceVerdict::valid:
				++s.valid;
				s.credited_hashes += std::ldexp(1.0, int(32 + ticket_log2_));
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
			case NonceVerdict::unattributed:
				break;
			}
		} else {
			++chain_stats_.unattributed;
		}
		if (sink)
			sink(ev);
	};

	LiveJob *job = nullptr;
	for (auto &j : jobs_)
		if (j.job_id == ev.job_id)
			job = &j;
	if (!job)
		return emit(NonceVerdict::stale);
	ev.work_id = job->work.id;

	if (fam.job_format == JobFormat::midstates) {
		if (subid >= job->versions.size())
			return emit(ev.position ? NonceVerdict::hw_error : NonceVerdict::unattributed);
		ev.version = job->versions[subid];
	} else {
		ev.version = rolled_version(job->work.version, job->work.version_mask,
					    reply.version_bits.value_or(0));
	}
	ev.hash = sha256::sha256d_header(job->work.header(reply.nonce, ev.version));
	ev.difficulty = hash_difficulty(ev.hash);
	if (!ev.position)
		return emit(NonceVerdict::unattributed);
	if (hash_leading_zeros(ev.hash) < int(config_.zero_bits + ticket_log2_))
		return emit(NonceVerdict::hw_error);
	if (!job->seen.emplace(reply.nonce, ev.version).second)
		return emit(NonceVerdict::duplicate);
	emit(NonceVerdict::valid);
}

} // namespace hashboard
