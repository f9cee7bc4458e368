// SPDX-License-Identifier: MIT
//
// The descriptors Board::poll waits on (the waker and every pollable chain link), kept
// registered in one epoll instance (the transports live as long as the Board, so a
// descriptor number always names the same link). poll(2) sets up and tears down a wait on every
// descriptor at each call; on a board that wakes for every nonce that was most of the
// mining thread's kernel time. With epoll the set is registered once (again only when
// the chains change) and a wait costs what is ready. Level-triggered, so a link read
// only in part is reported again, as poll(2) would.
#pragma once

#include "transport/fd_io.hpp"
#include "transport/unique_fd.hpp"

#include <hashboard/clock.hpp>
#include <hashboard/error.hpp>

#include <sys/epoll.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <vector>

namespace hashboard {

class LinkPoller {
public:
	LinkPoller() : ep_(::epoll_create1(EPOLL_CLOEXEC))
	{
		if (!ep_)
			transport::throw_os_error("board: epoll_create1", errno);
	}

	// Makes fds (index i is reported as i) the watched set; a no-op when it already is.
	void watch(const std::vector<int> &fds)
	{
		if (fds == fds_)
			return;
		for (int fd : fds_)
			::epoll_ctl(ep_.get(), EPOLL_CTL_DEL, fd, nullptr);
		fds_.clear();
		for (std::size_t i = 0; i < fds.size(); ++i) {
			epoll_event ev{};
			ev.events = EPOLLIN;
			ev.data.u64 = i;
			if (::epoll_ctl(ep_.get(), EPOLL_CTL_ADD, fds[i], &ev) < 0)
				transport::throw_os_error("board: epoll_ctl", errno);
			fds_.push_back(fds[i]);
		}
	}

	// Waits up to timeout; fills ready with the indices of ready descriptors (readable,
	// hung up or failed). Returns -1 with errno on failure (EINTR included).
	int wait(Duration timeout, std::vector<bool> &ready)
	{
		ready.assign(fds_.size(), false);
		std::array<epoll_event, 16> evs;
		const int n = wait_for(evs, timeout);
		for (int i = 0; i < n; ++i)
			if (evs[std::size_t(i)].data.u64 < ready.size())
				ready[evs[std::size_t(i)].data.u64] = true;
		return n;
	}

private:
	int wait_for(std::array<epoll_event, 16> &evs, Duration timeout)
	{
		if (pwait2_) {
			const timespec ts = transport::to_timespec(timeout);
			const int n =
			    ::epoll_pwait2(ep_.get(), evs.data(), int(evs.size()), &ts, nullptr);
			if (n >= 0 || errno != ENOSYS)
				return n;
			pwait2_ = false; // a kernel before 5.11: millisecond waits, rounded up
		}
		const auto ms = std::chrono::ceil<std::chrono::milliseconds>(timeout).count();
		return ::epoll_wait(ep_.get(), evs.data(), int(evs.size()),
		                    int(std::min<long long>(ms, 1'000'000)));
	}

	transport::UniqueFd ep_;
	std::vector<int> fds_;
	bool pwait2_ = true;
};

} // namespace hashboard
