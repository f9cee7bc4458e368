// SPDX-License-Identifier: MIT
#include <hashboardd/stratum/extranonce_split.hpp>

#include <hashboard/job_builder.hpp>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace hashboardd::stratum {

ExtranonceSplit::ExtranonceSplit(std::size_t extranonce2_size, unsigned chains)
    : size_(extranonce2_size), max_(0)
{
	if (chains == 0)
		throw std::invalid_argument("extranonce2 split: no chains");
	if (extranonce2_size == 0)
		throw std::invalid_argument("extranonce2 split: the pool gives 0 extranonce2 "
		                            "bytes, nothing to split across chains");
	// Past 8 bytes the counter's 64 bits are the low bytes; the rest stay zero.
	max_ = extranonce2_size >= 8 ? std::numeric_limits<std::uint64_t>::max()
	                             : (std::uint64_t(1) << (8 * extranonce2_size)) - 1;
	if (std::uint64_t(chains) - 1 > max_)
		throw std::invalid_argument(
		    "extranonce2 split: " + std::to_string(extranonce2_size) + " bytes hold " +
		    std::to_string(max_ + 1) + " values, fewer than the " + std::to_string(chains) +
		    " chains");
	next_.assign(chains, 0);
}

std::uint64_t ExtranonceSplit::remaining(unsigned chain) const
{
	if (chain >= next_.size())
		throw std::out_of_range("extranonce2 split: no chain " + std::to_string(chain));
	const std::uint64_t n = next_.size();
	// Units u with u * n + chain <= max_: floor((max_ - chain) / n) + 1 of them.
	const std::uint64_t total = (max_ - chain) / n + 1;
	return total - std::min(total, next_[chain]);
}

std::uint64_t ExtranonceSplit::counter(unsigned chain, std::uint64_t unit) const
{
	if (chain >= next_.size())
		throw std::out_of_range("extranonce2 split: no chain " + std::to_string(chain));
	const std::uint64_t n = next_.size();
	if (unit > (max_ - chain) / n)
		throw std::out_of_range("extranonce2 split: chain " + std::to_string(chain) +
		                        " has used its share of the " + std::to_string(size_) +
		                        "-byte extranonce2 space; waiting for a new job");
	return unit * n + chain;
}

hashboard::Bytes ExtranonceSplit::next(unsigned chain)
{
	const std::uint64_t c = counter(chain, next_.at(chain));
	++next_[chain];
	return hashboard::extranonce2_from_counter(c, size_);
}

void ExtranonceSplit::reset()
{
	for (auto &n : next_)
		n = 0;
}

} // namespace hashboardd::stratum
