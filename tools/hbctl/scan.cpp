// SPDX-License-Identifier: MIT
// hbctl scan: reset, enumerate and list a chain's chips; say where it is broken.
#include "commands.hpp"
#include "scan_json.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <iostream>
#include <memory>

namespace hbctl {

std::string hex16(unsigned v)
{
	return fmt::format("0x{:04x}", v & 0xFFFF);
}

boost::json::object scan_to_json(const hashboard::ChipFamily &family,
                                 const hashboard::ScanResult &scan)
{
	boost::json::array chips;
	for (const auto &c : scan.chips) {
		if (!c.answered)
			continue;
		chips.push_back({{"position", c.position},
		                 {"address", c.address},
		                 {"chip_id", hex16(c.chip_id)},
		                 {"cores", family.cores},
		                 {"core_byte", c.core_byte}});
	}
	boost::json::array silent;
	for (unsigned p : scan.silent_positions)
		silent.push_back(p);
	boost::json::object o{{"family", std::string(family.name)},
	                      {"expected", scan.expected},
	                      {"found", scan.found()},
	                      {"broadcast_replies", scan.broadcast_replies},
	                      {"wrong_chip_id", scan.wrong_chip_id},
	                      {"silent_positions", silent},
	                      {"chips", chips}};
	if (scan.break_after)
		o["break_after"] = *scan.break_after;
	else
		o["break_after"] = nullptr;
	o["ok"] = scan.ok();
	return o;
}

void print_scan_table(std::FILE *out, const hashboard::ChipFamily &family,
                      const hashboard::ScanResult &scan)
{
	fmt::print(out, "{:<4} {:<8} {:<8} {:<7} {}\n", "pos", "address", "chip id", "cores",
	           "state");
	for (const auto &c : scan.chips)
		fmt::print(out, "{:<4} 0x{:02x}     {:<8} {:<7} {}\n", c.position, c.address,
		           c.answered ? hex16(c.chip_id) : "-", c.answered ? family.cores : 0,
		           c.answered ? "ok" : "no answer");
	fmt::print(out, "{} of {} {} chips answered ({} to the broadcast read)\n", scan.found(),
	           scan.expected, family.name, scan.broadcast_replies);
	if (scan.break_after) {
		if (*scan.break_after == 0)
			std::fprintf(out, "CHAIN BROKEN: no chip answered (check power, reset and "
			                  "the RX path to chip 0)\n");
		else
			std::fprintf(out,
			             "CHAIN BROKEN after chip %u: chip %u and beyond are "
			             "unreachable\n",
			             *scan.break_after - 1, *scan.break_after);
	}
	for (unsigned p : scan.silent_positions)
		std::fprintf(out, "chip %u does not answer, though chips after it do\n", p);
	if (scan.wrong_chip_id)
		std::fprintf(out, "%u replies carried another chip id\n", scan.wrong_chip_id);
}

Runner add_scan_command(CLI::App &app)
{
	auto opt = std::make_shared<CommonOptions>();
	auto *cmd =
	    app.add_subcommand("scan", "reset and enumerate a chain, report chips and breaks");
	add_common_options(*cmd, *opt);
	return [opt]() {
		Session s = open_session(*opt);
		const auto scan = s.chain->enumerate();
		if (opt->json)
			std::cout << boost::json::serialize(scan_to_json(s.chain->family(), scan))
			          << "\n";
		else {
			std::printf("chain: %s\n", s.transport->describe().c_str());
			print_scan_table(stdout, s.chain->family(), scan);
		}
		return scan.ok() ? 0 : 1;
	};
}

} // namespace hbctl
