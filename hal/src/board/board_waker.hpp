// SPDX-License-Identifier: MIT
//
// How another thread ends a Board::poll early (Board::wake): a flag the round-robin
// reader checks between chains, and an eventfd that the multiplexed reader polls beside
// the chains' links, so a wake that comes while poll(2) waits ends the wait at once.
#pragma once

#include "transport/unique_fd.hpp"

#include <sys/eventfd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <system_error>

namespace hashboard {

class BoardWaker {
public:
	BoardWaker() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
	{
		if (!fd_)
			throw std::system_error(errno, std::generic_category(), "board: eventfd");
	}

	// Any thread, any time; async-signal-safe apart from the atomic.
	void wake() noexcept
	{
		flag_.store(true);
		const std::uint64_t one = 1;
		// EAGAIN means the counter is already non-zero: the poll will see it.
		[[maybe_unused]] const auto n = ::write(fd_.get(), &one, sizeof one);
	}

	// Whether a wake came since the last take(); clears it (flag and eventfd).
	bool take() noexcept
	{
		if (!flag_.exchange(false))
			return false;
		std::uint64_t count;
		[[maybe_unused]] const auto n = ::read(fd_.get(), &count, sizeof count);
		return true;
	}

	int fd() const { return fd_.get(); }

private:
	transport::UniqueFd fd_;
	std::atomic<bool> flag_{false};
};

} // namespace hashboard
