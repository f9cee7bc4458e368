// SPDX-License-Identifier: MIT
//
// Turning a UART into a chain device: hashboard.ko's line discipline on a tty (the only
// way for USB serial adapters and CDC-ACM boards, which have no firmware node). The
// chain device lives while the tty stays open, so the attachment is an object: it
// holds the tty, and its end puts the tty back to N_TTY. For `hbctl attach` and the
// udev unit that runs it.
#pragma once

#include "unique_fd.hpp"

#include <cstdint>
#include <string>

namespace hashboard::transport {

class LdiscAttachment {
public:
	// Opens tty raw at baud, sets the hashboard line discipline and asks which
	// /dev/hashboardN it made. TransportError naming the step that failed: a tty that
	// is not a tty, no hashboard.ko loaded (TIOCSETD: EINVAL), no permission.
	// baud_base: a 16550's base rate (TIOCSSERIAL) for UARTs whose driver caps the baud
	// below its clock (0 leaves it).
	LdiscAttachment(std::string tty, std::uint32_t baud, std::uint32_t baud_base = 0);
	~LdiscAttachment();
	LdiscAttachment(const LdiscAttachment &) = delete;
	LdiscAttachment &operator=(const LdiscAttachment &) = delete;

	unsigned index() const { return index_; }
	std::string device() const { return "/dev/hashboard" + std::to_string(index_); }
	const std::string &tty() const { return tty_; }

private:
	std::string tty_;
	UniqueFd fd_;
	unsigned index_ = 0;
};

} // namespace hashboard::transport
