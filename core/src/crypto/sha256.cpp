// SPDX-License-Identifier: MIT
// SHA-256 front end: back-end choice, padding, incremental hashing, header helpers.
#include <hashboard/sha256.hpp>

#include "crypto/sha256_backends.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <stdexcept>
#include <string>

#if defined(HB_HAVE_SHANI)
#include <cpuid.h>
#endif

namespace hashboard::sha256 {
namespace {

bool cpu_has_shani()
{
#if defined(HB_HAVE_SHANI)
	unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
		return false;
	// The SHA-NI code also uses PSHUFB/PALIGNR (SSSE3) and is built for SSE4.1.
	constexpr unsigned leaf1_ecx_ssse3 = 1u << 9;
	constexpr unsigned leaf1_ecx_sse41 = 1u << 19;
	if ((ecx & leaf1_ecx_ssse3) == 0 || (ecx & leaf1_ecx_sse41) == 0)
		return false;
	if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
		return false;
	constexpr unsigned leaf7_ebx_sha = 1u << 29;
	return (ebx & leaf7_ebx_sha) != 0;
#else
	return false;
#endif
}

bool shani_supported()
{
	static const bool supported = cpu_has_shani();
	return supported;
}

// The library's only mutable state: the back-end compress() and the header helpers use.
// It starts as the best one the CPU has (the static's initialisation is thread-safe) and
// changes only when a test or benchmark pins one with use_impl(). Both back-ends give
// identical results, so a change racing with hashing on other threads is harmless.
std::atomic<Impl> &active_slot()
{
	static std::atomic<Impl> active{shani_supported() ? Impl::shani : Impl::portable};
	return active;
}

void compress_unchecked(Impl impl, State &state, const std::uint8_t *blocks, std::size_t n)
{
#if defined(HB_HAVE_SHANI)
	if (impl == Impl::shani) {
		detail::compress_shani(state, blocks, n);
		return;
	}
#endif
	(void)impl;
	detail::compress_portable(state, blocks, n);
}

} // namespace

bool impl_supported(Impl impl)
{
	switch (impl) {
	case Impl::portable:
		return true;
	case Impl::shani:
		return shani_supported();
	}
	return false;
}

Impl active_impl()
{
	return active_slot().load(std::memory_order_relaxed);
}

void use_impl(Impl impl)
{
	if (!impl_supported(impl))
		throw std::invalid_argument("sha256: implementation '" +
		                            std::string(impl_name(impl)) +
		                            "' is not supported on this CPU");
	active_slot().store(impl, std::memory_order_relaxed);
}

std::string_view impl_name(Impl impl)
{
	switch (impl) {
	case Impl::portable:
		return "portable";
	case Impl::shani:
		return "sha-ni";
	}
	return "unknown";
}

State initial_state()
{
	return detail::initial_words;
}

void compress(State &state, const std::uint8_t *blocks, std::size_t n)
{
	compress_unchecked(active_impl(), state, blocks, n);
}

void compress_with(Impl impl, State &state, const std::uint8_t *blocks, std::size_t n)
{
	if (!impl_supported(impl))
		throw std::invalid_argument("sha256: implementation '" +
		                            std::string(impl_name(impl)) +
		                            "' is not supported on this CPU");
	compress_unchecked(impl, state, blocks, n);
}

Hash256 state_bytes(const State &state)
{
	Hash256 out;
	for (std::size_t i = 0; i < state.size(); ++i)
		store_be32(out.data() + 4 * i, state[i]);
	return out;
}

Hash256 digest(ByteSpan message)
{
	Hasher h;
	h.update(message);
	return h.finish();
}

Hash256 sha256d(ByteSpan message)
{
	const Hash256 first = digest(message);
	return digest(first);
}

Hasher::Hasher() : state_(detail::initial_words) {}

void Hasher::update(ByteSpan data)
{
	const std::uint8_t *p = data.data();
	std::size_t left = data.size();
	total_ += left;
	if (buf_len_ > 0) {
		const std::size_t take = std::min(left, buf_.size() - buf_len_);
		std::memcpy(buf_.data() + buf_len_, p, take);
		buf_len_ += take;
		p += take;
		left -= take;
		if (buf_len_ < buf_.size())
			return;
		compress(state_, buf_.data(), 1);
		buf_len_ = 0;
	}
	const std::size_t whole = left / 64;
	if (whole > 0) {
		compress(state_, p, whole);
		p += whole * 64;
		left -= whole * 64;
	}
	if (left > 0) {
		std::memcpy(buf_.data(), p, left);
		buf_len_ = left;
	}
}

// FIPS 180-4 section 5.1.1 padding, then the digest. The hasher starts over afterwards.
Hash256 Hasher::finish()
{
	const std::uint64_t bit_length = total_ * 8;
	buf_[buf_len_++] = 0x80;
	if (buf_len_ > 56) {
		std::fill(buf_.begin() + std::ptrdiff_t(buf_len_), buf_.end(), std::uint8_t(0));
		compress(state_, buf_.data(), 1);
		buf_len_ = 0;
	}
	std::fill(buf_.begin() + std::ptrdiff_t(buf_len_), buf_.begin() + 56, std::uint8_t(0));
	store_be32(buf_.data() + 56, std::uint32_t(bit_length >> 32));
	store_be32(buf_.data() + 60, std::uint32_t(bit_length));
	compress(state_, buf_.data(), 1);
	const Hash256 out = state_bytes(state_);
	*this = Hasher();
	return out;
}

State midstate(const Header &header)
{
	State s = detail::initial_words;
	compress(s, header.data(), 1);
	return s;
}

Hash256 sha256d_from_midstate(const State &mid, const std::uint8_t *tail16)
{
#if defined(HB_HAVE_SHANI)
	if (active_impl() == Impl::shani)
		return detail::sha256d_tail_shani(mid, tail16);
#endif
	return detail::sha256d_tail_portable(mid, tail16);
}

Hash256 sha256d_header(const Header &header)
{
	return sha256d_from_midstate(midstate(header), header.data() + 64);
}

} // namespace hashboard::sha256
