// SPDX-License-Identifier: MIT
#include <hashboardd/stratum/job_source.hpp>

#include <stdexcept>

namespace hashboardd::stratum {

namespace {
constexpr std::size_t kMaxSplits = 16;
}

JobSource::JobSource(PoolManager &pools, unsigned chains, std::size_t max_works)
    : pools_(pools), chains_(chains), max_works_(max_works)
{
	if (chains == 0)
		throw std::invalid_argument("job source: no chains");
	if (max_works == 0)
		throw std::invalid_argument("job source: max_works must be at least 1");
}

void JobSource::follow()
{
	const JobPtr job = pools_.current_job();
	const auto pool = pools_.active();
	const bool idle_now = !job;
	if (idle_now) {
		if (!idle_) {
			idle_ = true;
			clean_ = true; // no pool: nothing to mine, whatever the chains hold
			++generation_;
		}
		return;
	}
	// The same job as before (a job rebuilt for a new mask keeps its serial; a pool that
	// comes back with the session resumed sends the same job): the split goes on, so no
	// extranonce2 already handed out is handed out again.
	const bool same_job =
	    job_ && pool == pool_ && job->serial == job_->serial && job->epoch == job_->epoch;
	if (same_job && !idle_ && job == job_)
		return;
	if (!same_job) {
		clean_ = !job_ || pool != pool_ || job->epoch != job_->epoch ||
		         job->notify.clean_jobs || job->notify.prev_hash != job_->notify.prev_hash;
		const JobKey key{*pool, job->epoch, job->serial};
		auto it = splits_.find(key);
		if (it == splits_.end()) {
			it = splits_
			         .emplace(key,
			                  ExtranonceSplit(job->builder.extranonce2_size(), chains_))
			         .first;
			split_order_.push_back(key);
			if (split_order_.size() > kMaxSplits) {
				splits_.erase(split_order_.front());
				split_order_.pop_front();
			}
		}
		split_ = &it->second;
	} else {
		clean_ = false;
	}
	job_ = job;
	pool_ = pool;
	idle_ = false;
	++generation_;
}

std::uint64_t JobSource::generation()
{
	follow();
	return generation_;
}

std::optional<hashboard::Work> JobSource::next_work(unsigned chain)
{
	if (chain >= chains_)
		throw std::out_of_range("job source: no chain " + std::to_string(chain));
	follow();
	if (idle_ || !job_ || !split_ || !pool_ || split_->remaining(chain) == 0)
		return std::nullopt;
	Issued issued{*pool_, job_, split_->next(chain)};
	const std::uint64_t id = next_work_id_++;
	hashboard::Work w = job_->builder.work(issued.extranonce2, id);
	works_.emplace(id, std::move(issued));
	order_.push_back(id);
	while (order_.size() > max_works_) {
		works_.erase(order_.front());
		order_.pop_front();
	}
	return w;
}

std::optional<double> JobSource::share_difficulty(std::uint64_t work_id) const
{
	const auto it = works_.find(work_id);
	if (it == works_.end() || !it->second.job)
		return std::nullopt;
	return it->second.job->difficulty;
}

Offer JobSource::on_nonce(std::uint64_t work_id, std::uint32_t nonce, std::uint32_t rolled_version)
{
	const auto it = works_.find(work_id);
	if (it == works_.end())
		return Offer::stale;
	Share s;
	s.job = it->second.job;
	s.extranonce2 = it->second.extranonce2;
	s.nonce = nonce;
	s.rolled_version = rolled_version;
	return pools_.submit(it->second.pool, std::move(s));
}

} // namespace hashboardd::stratum
