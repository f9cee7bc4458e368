// SPDX-License-Identifier: MIT
#include <hashboardd/api/sessions.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace hashboardd::api {

SessionTable::SessionTable(std::chrono::steady_clock::duration idle, std::size_t max, SteadyNow now)
    : idle_(idle), max_(std::max<std::size_t>(max, 1)), now_(std::move(now))
{
}

std::string SessionTable::create()
{
	const std::lock_guard lock(mutex_);
	const auto now = now_();
	expire_locked(now);
	while (last_use_.size() >= max_) {
		auto oldest = std::min_element(
		    last_use_.begin(), last_use_.end(),
		    [](const auto &a, const auto &b) { return a.second < b.second; });
		last_use_.erase(oldest);
	}
	// 128 bits from the OS's random source: a token is a password for its lifetime.
	std::string token;
	for (int i = 0; i < 4; ++i)
		token += fmt::format("{:08x}", static_cast<std::uint32_t>(random_()));
	last_use_[token] = now;
	return token;
}

bool SessionTable::use(std::string_view token)
{
	const std::lock_guard lock(mutex_);
	const auto now = now_();
	expire_locked(now);
	const auto it = last_use_.find(token);
	if (it == last_use_.end())
		return false;
	it->second = now;
	return true;
}

bool SessionTable::remove(std::string_view token)
{
	const std::lock_guard lock(mutex_);
	expire_locked(now_());
	const auto it = last_use_.find(token);
	if (it == last_use_.end())
		return false;
	last_use_.erase(it);
	return true;
}

std::size_t SessionTable::size() const
{
	const std::lock_guard lock(mutex_);
	return last_use_.size();
}

bool SessionTable::looks_like_token(std::string_view text)
{
	return text.size() == 32 && std::all_of(text.begin(), text.end(), [](char c) {
		       return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
	       });
}

void SessionTable::expire_locked(std::chrono::steady_clock::time_point now)
{
	std::erase_if(last_use_, [&](const auto &e) { return now - e.second >= idle_; });
}

} // namespace hashboardd::api
