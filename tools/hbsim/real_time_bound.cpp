// SPDX-License-Identifier: MIT
#include "real_time_bound.hpp"

#include <hashboard/sha256.hpp>

#include <fmt/format.h>

#include <iterator>
#include <stdexcept>

namespace hbsim_tool {
namespace {

// Hashing takes at most this share of the core: the rest moves bytes and polls.
constexpr double kHashingShare = 2.0 / 3.0;
// Beyond this many cores' worth the chips cannot keep up, however rough the estimate.
constexpr double kRefusedCores = 2.0;

// "15.2 M", "1.99 T": rates from kilo- to tera-hashes a second.
std::string rate_text(double per_second)
{
	static constexpr const char *kUnits[] = {"", " k", " M", " G", " T"};
	std::size_t u = 0;
	while (per_second >= 1000 && u + 1 < std::size(kUnits)) {
		per_second /= 1000;
		++u;
	}
	return fmt::format("{:.3g}{}", per_second, kUnits[u]);
}

double total_rate(const std::vector<hbsim::SimChainConfig> &chains)
{
	double sum = 0;
	for (const auto &c : chains)
		sum += hbsim::real_time_hash_rate(c);
	return sum;
}

double total_rate_at(std::vector<hbsim::SimChainConfig> chains, unsigned zero_bits)
{
	for (auto &c : chains)
		c.zero_bits = zero_bits;
	return total_rate(chains);
}

unsigned chip_count(const std::vector<hbsim::SimChainConfig> &chains)
{
	unsigned chips = 0;
	for (const auto &c : chains)
		chips += c.chips;
	return chips;
}

} // namespace

double one_core_hash_rate()
{
	namespace sha = hashboard::sha256;
	// bench_sha256's sha256d_from_midstate, where the simulator spends its time
	// (bench_sim hashes at its rate): about 12 M/s with SHA-NI and 1.6 M/s portable on
	// one core of the build machine.
	return sha::active_impl() == sha::Impl::shani ? 12e6 : 1.6e6;
}

unsigned max_real_time_zero_bits(const std::vector<hbsim::SimChainConfig> &chains)
{
	const double budget = one_core_hash_rate() * kHashingShare;
	unsigned z = 1;
	while (z < 32 && total_rate_at(chains, z + 1) <= budget)
		++z;
	return z;
}

std::string zero_bits_source(const Options &opt, unsigned zero_bits)
{
	const std::string z = std::to_string(zero_bits);
	if (opt.zero_bits)
		return "--zero-bits " + z;
	if (!opt.board_file.empty())
		return opt.board_file + ": sim.zero_bits = " + z;
	return "--zero-bits " + z + " (the default)";
}

std::optional<std::string> check_real_time(const std::vector<hbsim::SimChainConfig> &chains,
                                           const std::string &source)
{
	const double rate = total_rate(chains);
	const double core = one_core_hash_rate();
	if (chains.empty() || rate <= core * kHashingShare)
		return std::nullopt;
	const unsigned chips = chip_count(chains);
	const std::string need = fmt::format(
	    "{}: {} chip{} would compute {} SHA-256d/s in real time (2^({}-32) of the nominal "
	    "hashes at the stable-frequency limit)",
	    source, chips, chips == 1 ? "" : "s", rate_text(rate), chains.front().zero_bits);
	const bool one_fits = total_rate_at(chains, 1) <= core * kHashingShare;
	const unsigned max = max_real_time_zero_bits(chains);
	const char *what = chains.size() == 1 ? "this chain" : "these chains";
	if (rate > core * kRefusedCores)
		throw std::invalid_argument(fmt::format(
		    "{}, more than one core does (about {}/s here); {}", need, rate_text(core),
		    one_fits ? fmt::format("at most {} for {}", max, what)
		             : std::string("even zero_bits 1 is too much: fewer chips")));
	return fmt::format("{}, most of what one core does (about {}/s here): replies may come "
	                   "late{}",
	                   need, rate_text(core),
	                   one_fits ? fmt::format("; {} or fewer keeps up with {}", max, what)
	                            : "");
}

} // namespace hbsim_tool
