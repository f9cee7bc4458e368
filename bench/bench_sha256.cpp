// SPDX-License-Identifier: MIT
// SHA-256d throughput per back-end on one core: the nonce check (midstate + tail, what
// every returned nonce costs the host and every simulated hash costs the simulator) and
// the full 80-byte header hash. Prints figures only; it has no pass/fail thresholds.
#include <hashboard/bytes.hpp>
#include <hashboard/sha256.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace sha = hashboard::sha256;

namespace {

constexpr double seconds_per_figure = 1.0;

std::string cpu_model()
{
	std::ifstream in("/proc/cpuinfo");
	std::string line;
	while (std::getline(in, line)) {
		if (line.rfind("model name", 0) == 0) {
			const auto colon = line.find(':');
			if (colon != std::string::npos)
				return line.substr(colon + 2);
		}
	}
	return "unknown";
}

// Calls step(i) for increasing i in batches until the time is up; returns calls/second.
template <class Step> double rate(Step &&step)
{
	using clock = std::chrono::steady_clock;
	constexpr std::uint64_t batch = 1 << 14;
	std::uint64_t done = 0;
	for (std::uint64_t i = 0; i < batch; ++i) // warm-up: caches, frequency
		step(i);
	const auto start = clock::now();
	double elapsed = 0;
	do {
		for (std::uint64_t i = 0; i < batch; ++i)
			step(done + i);
		done += batch;
		elapsed = std::chrono::duration<double>(clock::now() - start).count();
	} while (elapsed < seconds_per_figure);
	return double(done) / elapsed;
}

// The genesis header: a real header, so the work is exactly what a nonce check does.
sha::Header genesis_header()
{
	const auto bytes = hashboard::from_hex(
	    "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12"
	    "b2"
	    "7ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c");
	sha::Header h;
	std::copy(bytes.begin(), bytes.end(), h.begin());
	return h;
}

struct Figures {
	double nonce_rate;
	double header_rate;
	double compress_bytes_rate;
	std::uint32_t checksum; // printed, so the results count as used
};

Figures measure(sha::Impl impl)
{
	sha::use_impl(impl);
	Figures f{};
	std::uint32_t sink = 0;

	const sha::Header header = genesis_header();
	const sha::State mid = sha::midstate(header);
	std::uint8_t tail[16];
	std::copy(header.begin() + 64, header.end(), tail);
	f.nonce_rate = rate([&](std::uint64_t nonce) {
		hashboard::store_le32(tail + 12, std::uint32_t(nonce));
		const hashboard::Hash256 h = sha::sha256d_from_midstate(mid, tail);
		sink += hashboard::load_le32(h.data() + 28);
	});

	sha::Header varying = header;
	f.header_rate = rate([&](std::uint64_t nonce) {
		hashboard::store_le32(varying.data() + 76, std::uint32_t(nonce));
		const hashboard::Hash256 h = sha::sha256d_header(varying);
		sink += hashboard::load_le32(h.data() + 28);
	});

	constexpr std::size_t blocks = 64;
	std::vector<std::uint8_t> data(blocks * 64, 0x5a);
	sha::State state = sha::initial_state();
	f.compress_bytes_rate =
	    rate([&](std::uint64_t) { sha::compress(state, data.data(), blocks); }) *
	    double(data.size());
	sink += state[0];

	f.checksum = sink;
	return f;
}

} // namespace

int main()
{
	std::printf("SHA-256 benchmark, one core, ~%.0f s per figure\n", seconds_per_figure);
	std::printf("CPU: %s\n", cpu_model().c_str());
	std::printf("default back-end: %s\n\n",
	            std::string(sha::impl_name(sha::active_impl())).c_str());

	std::optional<Figures> portable, shani;
	for (sha::Impl impl : {sha::Impl::portable, sha::Impl::shani}) {
		const std::string name(sha::impl_name(impl));
		if (!sha::impl_supported(impl)) {
			std::printf("%s: not supported by this CPU, skipped\n\n", name.c_str());
			continue;
		}
		std::printf("%s:\n", name.c_str());
		const Figures f = measure(impl);
		std::printf("  nonce check, sha256d_from_midstate: %8.2f Mnonce/s\n",
		            f.nonce_rate / 1e6);
		std::printf("  full header, sha256d_header:        %8.2f Mhash/s\n",
		            f.header_rate / 1e6);
		std::printf("  bulk compress:                      %8.1f MB/s\n",
		            f.compress_bytes_rate / 1e6);
		std::printf("  (checksum %08x)\n\n", f.checksum);
		(impl == sha::Impl::portable ? portable : shani) = f;
	}
	if (portable && shani) {
		std::printf(
		    "ratio sha-ni/portable: nonce check %.2fx, full header %.2fx, bulk %.2fx\n",
		    shani->nonce_rate / portable->nonce_rate,
		    shani->header_rate / portable->header_rate,
		    shani->compress_bytes_rate / portable->compress_bytes_rate);
	}
	return 0;
}
