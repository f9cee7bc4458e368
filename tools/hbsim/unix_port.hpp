// SPDX-License-Identifier: MIT
#pragma once

#include "hal_internal.hpp"
#include "host_port.hpp"

#include <string>

namespace hbsim_tool {

// A unix stream socket: one host at a time. Another that connects meanwhile gets one
// line, "hbsim: busy: ...", and a closed connection, so it can tell a chain in use from
// a cut one. A socket has no baud, so the host always keeps up with the chips' baud.
class UnixPort final : public HostPort {
public:
	explicit UnixPort(std::string path) : listener_(std::move(path), 4) {}

	const std::string &path() const { return listener_.path(); }

	int poll_fd() const override { return client_ ? client_.get() : listener_.fd(); }
	bool host_present() override;
	std::optional<std::uint32_t> host_baud() const override { return std::nullopt; }
	std::size_t read(std::span<std::uint8_t> buf) override;
	std::size_t write(hashboard::ByteSpan data) override;
	int waiting_fd() const override { return client_ ? listener_.fd() : -1; }
	std::uint64_t turned_away() const override { return turned_away_; }
	void host_left() override
	{
		client_.reset();
		gone_ = false;
	}
	std::string describe() const override { return "unix socket " + listener_.path(); }

private:
	void turn_away_waiting();

	UnixListener listener_;
	UniqueFd client_;
	bool gone_ = false; // the client closed; host_present() reports it once
	std::uint64_t turned_away_ = 0;
};

} // namespace hbsim_tool
