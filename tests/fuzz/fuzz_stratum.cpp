// SPDX-License-Identifier: MIT
// The Stratum line codec and the client Session on arbitrary pool output: the input is
// the byte stream a pool sends, cut into reads as fuzz::chunks_of cuts it, through the
// LineReader (64 KiB cap) into Session::on_line. No crash, no exception out of the read
// path, and the session's invariants hold after every line: what it sends decodes as our
// own requests or answers, ready implies subscribed and authorized, live jobs stay within
// their bound, and a share offered on a live job passes the share book's recheck or is
// refused with a verdict.

#include "fuzz_common.hpp"

#include <hashboardd/stratum/json_rpc.hpp>
#include <hashboardd/stratum/session.hpp>
#include <hashboardd/stratum/share_book.hpp>

#include <chrono>
#include <string_view>

using namespace hashboardd::stratum;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	const std::string_view text(reinterpret_cast<const char *>(data), size);
	// The whole input as one line: the decoder alone.
	const Decoded d = decode_line(text);
	FUZZ_CHECK(d.message.has_value() != !d.error.empty());

	SessionConfig config;
	config.user = "fuzz";
	config.suggest_difficulty = 0.5;
	config.max_jobs = 4;
	Session session(config);
	ShareBook book;
	LineReader reader(4096);
	session.start(std::chrono::seconds(0));
	std::int64_t t = 0;
	std::uint32_t nonce = 0;
	for (const auto chunk : fuzz::chunks_of(hashboard::ByteSpan(data, size))) {
		if (!reader.feed(std::string_view(reinterpret_cast<const char *>(chunk.data()),
		                                  chunk.size())))
			break; // the connection would be dropped here
		while (auto line = reader.next_line()) {
			++t;
			const auto r = session.on_line(*line, std::chrono::seconds(t));
			FUZZ_CHECK(r.ok || !r.error.empty());
			FUZZ_CHECK(!session.ready() ||
			           (session.subscribed() && session.authorized()));
			FUZZ_CHECK(session.live_jobs() <= config.max_jobs);
			for (const auto &out : session.take_output()) {
				FUZZ_CHECK(!out.empty() && out.back() == '\n');
				const Decoded o =
				    decode_line(std::string_view(out).substr(0, out.size() - 1));
				FUZZ_CHECK(o.message.has_value());
				FUZZ_CHECK(!std::holds_alternative<Notification>(*o.message));
			}
			if (const JobPtr job = session.current_job()) {
				FUZZ_CHECK(session.is_live(*job));
				Share s{job,
				        hashboard::Bytes(job->builder.extranonce2_size(), 0x5a),
				        nonce++, job->builder.version(), 0};
				book.offer(s);
				book.flush(session, std::chrono::seconds(t));
			}
			(void)session.health(std::chrono::seconds(t + 1000));
		}
	}
	session.connection_lost();
	return 0;
}
