// SPDX-License-Identifier: MIT
// One Verilated chip answers a broadcast read of register 0 (chip id 0x1FA1, 2 lanes,
// address 0) and reads back NAME; a chain of two is enumerated (chain inactive, set
// address 0 and 0x1e, broadcast read: two replies). Exits non-zero otherwise.
#include "hbfp_chip.hpp"

#include "verilated.h"

#include <cstdio>
#include <vector>

static bool expect(hbfp::Chip &chip, const std::vector<std::uint8_t> &frame,
                   const std::vector<std::uint8_t> &want)
{
	chip.write(frame.data(), frame.size());
	chip.run_until_quiet(2000, 200000);
	const auto got = chip.read();
	if (got != want) {
		std::printf("FAIL: got");
		for (auto b : got)
			std::printf(" %02x", b);
		std::printf("\n");
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	Verilated::commandArgs(argc, argv);
	hbfp::Chip chip(7);
	bool ok = expect(chip, {0x55, 0xAA, 0x52, 0x05, 0x00, 0x00, 0x0A},
	                 {0xAA, 0x55, 0x1F, 0xA1, 0x02, 0x00, 0x00, 0x00, 0x0A});
	ok = ok && expect(chip, {0x55, 0xAA, 0x42, 0x05, 0x00, 0xF0, 0x0C},
	                  {0xAA, 0x55, 0x48, 0x42, 0x46, 0x50, 0x00, 0xF0, 0x11});
	hbfp::Chip chain(7, 2);
	ok = ok && expect(chain, {0x55, 0xAA, 0x53, 0x05, 0x00, 0x00, 0x03}, {});
	ok = ok && expect(chain, {0x55, 0xAA, 0x40, 0x05, 0x00, 0x00, 0x1C}, {});
	ok = ok && expect(chain, {0x55, 0xAA, 0x40, 0x05, 0x1E, 0x00, 0x16}, {});
	ok = ok && expect(chain, {0x55, 0xAA, 0x52, 0x05, 0x00, 0x00, 0x0A},
	                  {0xAA, 0x55, 0x1F, 0xA1, 0x02, 0x00, 0x00, 0x00, 0x0A,
	                   0xAA, 0x55, 0x1F, 0xA1, 0x02, 0x1E, 0x1E, 0x00, 0x03});
	if (!ok)
		return 1;
	std::printf("PASS verilated chain of 2: enumerated after %llu clocks\n",
	            static_cast<unsigned long long>(chain.clocks()));
	std::printf("PASS verilated chip: chip id and NAME after %llu clocks\n",
	            static_cast<unsigned long long>(chip.clocks()));
	return 0;
}
