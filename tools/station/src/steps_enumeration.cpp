// SPDX-License-Identifier: MIT
// Enumeration: every chip answers; a break is located by the chain's own scan (the
// first position that stopped answering) and named with its voltage domain.
#include "steps.hpp"

#include <fmt/format.h>

namespace station::detail {
namespace {

// The first chip of a domain that does not answer points at the domain's supply
// (its LDOs or the level shifters at its edge) more than at the chip.
bool first_of_domain(const hashboard::BoardConfig &cfg, unsigned chain, unsigned position)
{
	for (const auto &d : cfg.domains)
		if (d.chain == chain)
			for (const auto &range : d.chips)
				if (range.first == position && position > 0)
					return true;
	return false;
}

} // namespace

void run_enumeration(Context &c, const PlanStep &, StepResult &r)
{
	const auto &cfg = c.board.config();
	unsigned found = 0, expected = 0;
	for (const auto &b : c.board.bring_up_report()) {
		const hashboard::ScanResult &scan = b.scan;
		found += scan.found();
		expected += scan.expected;
		if (scan.break_after) {
			const unsigned k = *scan.break_after;
			const std::string domain = c.domain_of(b.chain_id, k);
			// No chip at all: the link is the likelier cut than chip 0 itself.
			std::string cause =
			    k == 0
			        ? "nothing answers: the chain's link first (its UART adapter or "
			          "cable, "
			          "the connector, the level shifter), then its reset and power "
			          "enable, "
			          "the first chip's clock and supply"
			        : fmt::format("chip {} or the link from chip {} to it (CI/RO, CLK, "
			                      "RST between them), or chip {}'s supply",
			                      k, k - 1, k);
			if (!domain.empty() && first_of_domain(cfg, b.chain_id, k))
				cause +=
				    fmt::format("; chip {} is the first of domain {}: measure that "
				                "domain's voltage first",
				                k, domain);
			const std::string what =
			    k == 0
			        ? fmt::format("no chip answers on chain {} (0 of {})", b.chain_id,
			                      scan.expected)
			        : fmt::format("chain cut: chips 0..{} answer, chip {} and the {} "
			                      "after it do not",
			                      k - 1, k, scan.expected - k - 1);
			fail(r, {what, b.chain_id, k, domain, "", cause});
		}
		for (unsigned p : scan.silent_positions)
			fail(r,
			     {"relays but never answers (the chips after it do)", b.chain_id, p,
			      c.domain_of(b.chain_id, p), "",
			      "the chip itself (its reply path, RO) or its address pins: replace "
			      "the chip"});
		if (scan.wrong_chip_id)
			fail(
			    r,
			    {fmt::format("{} replies from another chip family", scan.wrong_chip_id),
			     b.chain_id,
			     {},
			     "",
			     "",
			     "a chip of the wrong type fitted, or the board file names the wrong "
			     "family"});
	}
	r.measured = fmt::format("{} of {} chips answer", found, expected);
	r.threshold = "every chip answers";
}

} // namespace station::detail
