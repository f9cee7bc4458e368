// SPDX-License-Identifier: MIT
#include "hbsim_control.hpp"

#include "fd_io.hpp"
#include "unix_socket.hpp"

#include <hashboard/transport.hpp>

#include <array>
#include <chrono>

namespace hashboard::transport {

namespace {

// hbsim answers from its main loop, which ticks every millisecond; this only catches a
// simulator that is stopped or wedged.
constexpr Duration kAnswerTimeout = std::chrono::seconds(2);

} // namespace

HbsimControl::HbsimControl(std::string socket_path, const Clock &clock)
    : path_(std::move(socket_path)), clock_(clock)
{
}

std::string HbsimControl::request(std::string_view line) const
{
	const std::string link = "hbsim control " + path_;
	UniqueFd fd = connect_unix_stream(path_);
	std::string out(line);
	out += '\n';
	write_all(fd.get(),
	          ByteSpan(reinterpret_cast<const std::uint8_t *>(out.data()), out.size()),
	          FdKind::socket, link);

	std::string answer;
	std::array<std::uint8_t, hbsim_control::kMaxLine> buf;
	const Duration start = clock_.now();
	for (;;) {
		const Duration left = kAnswerTimeout - (clock_.now() - start);
		const std::size_t n = left > Duration::zero()
		                          ? read_with_timeout(fd.get(), buf, left, clock_, link)
		                          : 0;
		if (n == 0)
			throw TransportError(link + ": no answer to '" + std::string(line) + "'",
			                     ETIMEDOUT);
		answer.append(reinterpret_cast<const char *>(buf.data()), n);
		const auto newline = answer.find('\n');
		if (newline != std::string::npos) {
			answer.resize(newline);
			break;
		}
		if (answer.size() >= hbsim_control::kMaxLine)
			throw TransportError(link + ": answer line too long", EPROTO);
	}

	const auto word_end = answer.find(' ');
	const std::string_view word = std::string_view(answer).substr(0, word_end);
	const std::string rest = word_end == std::string::npos ? "" : answer.substr(word_end + 1);
	if (word == hbsim_control::kOk)
		return rest;
	if (word == hbsim_control::kErr)
		throw TransportError(link + ": '" + std::string(line) + "' refused: " + rest);
	throw TransportError(link + ": unexpected answer '" + answer + "'", EPROTO);
}

void HbsimControl::set_reset(bool asserted) const
{
	request(asserted ? hbsim_control::kResetAssert : hbsim_control::kResetRelease);
}

} // namespace hashboard::transport
