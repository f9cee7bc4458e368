// SPDX-License-Identifier: MIT
#include "control_server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

namespace hbsim_tool {

namespace {

// Answers are a few dozen bytes and the client waits for each one, so a socket buffer
// that cannot take one belongs to a client that does not read: it is dropped.
bool send_line(int fd, std::string line)
{
	line += '\n';
	const auto bytes =
	    hashboard::ByteSpan(reinterpret_cast<const std::uint8_t *>(line.data()), line.size());
	return hashboard::transport::write_now(fd, bytes, hashboard::transport::FdKind::socket)
	           .bytes == line.size();
}

// Clients normally hold a connection for one request; this many at once is a client
// that leaks them, and more are told so rather than left without an answer.
constexpr std::size_t kMaxClients = 16;

} // namespace

void ControlServer::add_poll_fds(std::vector<pollfd> &fds) const
{
	fds.push_back({listener_.fd(), POLLIN, 0});
	for (const auto &c : clients_)
		fds.push_back({c.fd.get(), POLLIN, 0});
}

void ControlServer::service(const Handler &handle)
{
	while (UniqueFd fd = listener_.accept()) {
		if (clients_.size() < kMaxClients)
			clients_.push_back(Client{std::move(fd), {}});
		else
			send_line(fd.get(), std::string(control_words::kErr) +
			                        " busy: " + std::to_string(kMaxClients) +
			                        " control clients connected; try again");
	}
	std::erase_if(clients_, [&](Client &c) { return !serve(c, handle); });
}

bool ControlServer::serve(Client &client, const Handler &handle)
{
	std::array<std::uint8_t, control_words::kMaxLine> buf;
	for (;;) {
		const auto a = hashboard::transport::read_now(client.fd.get(), buf);
		if (!a.bytes)
			return a.would_block();
		client.pending.append(reinterpret_cast<const char *>(buf.data()), a.bytes);
		std::size_t newline;
		while ((newline = client.pending.find('\n')) != std::string::npos) {
			if (newline >= control_words::kMaxLine)
				break;
			std::string_view line(client.pending.data(), newline);
			if (!line.empty() && line.back() == '\r')
				line.remove_suffix(1);
			if (!send_line(client.fd.get(), handle(line)))
				return false;
			client.pending.erase(0, newline + 1);
		}
		// What is left is one unfinished line, or one that came whole but too long.
		if (client.pending.size() >= control_words::kMaxLine) {
			send_line(client.fd.get(),
			          std::string(control_words::kErr) + " line too long");
			return false;
		}
	}
}

} // namespace hbsim_tool
