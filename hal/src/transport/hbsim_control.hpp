// SPDX-License-Identifier: MIT
//
// The hbsim control socket: the reset line of a chain that hbsim simulates in another
// process, for transports whose data path cannot carry it (a pty, a unix socket).
//
// Protocol: a unix stream socket at the path hbsim prints as "control: PATH". The client
// sends requests of one ASCII line each ('\n'-terminated, at most kMaxLine bytes with
// the newline) and hbsim answers each with exactly one line, in order:
//   reset 1   hold the chain in reset (the chips go quiet)      -> "ok reset 1"
//   reset 0   release reset: every chip is back at power-on     -> "ok reset 0"
//   status    the simulator's state as key=value words           -> "ok family=bm1366
//             chips=4 host=1 reset=0 baud=115200"
// A request that cannot be served answers "err <reason>". A connection may carry any
// number of requests; hbsim closes one whose line is too long.
#pragma once

#include <hashboard/clock.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace hashboard::transport {

namespace hbsim_control {
inline constexpr std::size_t kMaxLine = 256;
// A chain's data socket that another host holds answers a new connection with one line,
// "hbsim: busy: <why>\n", and closes it, so the host can tell a chain in use from a cut
// one (silence). The unix: transport reports it as a TransportError (EBUSY).
inline constexpr std::string_view kBusyPrefix = "hbsim: busy: ";
inline constexpr std::string_view kResetAssert = "reset 1";
inline constexpr std::string_view kResetRelease = "reset 0";
inline constexpr std::string_view kStatus = "status";
inline constexpr std::string_view kOk = "ok";
inline constexpr std::string_view kErr = "err";
} // namespace hbsim_control

// Client: one short connection per request, so a restarted hbsim is picked up and no
// descriptor sits idle. Failures and "err" answers are TransportErrors.
class HbsimControl {
public:
	HbsimControl(std::string socket_path, const Clock &clock);

	// Sends one request line and returns the answer after "ok" (without the space).
	std::string request(std::string_view line) const;
	void set_reset(bool asserted) const;
	std::string status() const { return request(hbsim_control::kStatus); }
	const std::string &socket_path() const { return path_; }

private:
	std::string path_;
	const Clock &clock_;
};

} // namespace hashboard::transport
