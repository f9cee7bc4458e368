// SPDX-License-Identifier: MIT
// The transport URI parser (parse_transport_uri) and the sim: option parsing
// (sim_chain_config) on arbitrary text: no crash; either a parsed URI whose parts put
// back together give the text, and a sim: configuration inside the documented ranges, or
// an std::invalid_argument that says something.

#include "fuzz_common.hpp"

#include "transport/sim_transport.hpp"
#include "transport/uri.hpp"

#include <cmath>
#include <string>
#include <string_view>

using namespace hashboard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	const std::string_view text(reinterpret_cast<const char *>(data), size);
	transport::TransportUri uri;
	try {
		uri = transport::parse_transport_uri(text);
	} catch (const std::invalid_argument &e) {
		FUZZ_CHECK(e.what()[0] != '\0');
		return 0;
	}
	FUZZ_CHECK(uri.text == text);
	FUZZ_CHECK(!uri.scheme.empty());
	for (std::size_t i = 0; i < uri.options.size(); ++i)
		for (std::size_t j = i + 1; j < uri.options.size(); ++j)
			FUZZ_CHECK(uri.options[i].first != uri.options[j].first);
	// Every scheme's options go through the same UriOptions; sim: is the one whose
	// numbers are all parsed here, without opening anything.
	if (uri.scheme != "sim")
		return 0;
	try {
		const hbsim::SimChainConfig c = transport::sim_chain_config(uri);
		FUZZ_CHECK(c.chips >= 1 && c.chips <= 256);
		FUZZ_CHECK(c.zero_bits >= 1 && c.zero_bits <= 32);
		FUZZ_CHECK(!c.faults.dead_chip || *c.faults.dead_chip < c.chips);
		FUZZ_CHECK(!c.faults.mute_chip || *c.faults.mute_chip < c.chips);
		FUZZ_CHECK(std::isfinite(c.faults.bit_error_rate) && c.faults.bit_error_rate >= 0 &&
		           c.faults.bit_error_rate <= 1);
		FUZZ_CHECK(std::isfinite(c.freq_limit_mhz) && c.freq_limit_mhz >= 0);
	} catch (const std::invalid_argument &e) {
		FUZZ_CHECK(e.what()[0] != '\0');
	}
	return 0;
}
