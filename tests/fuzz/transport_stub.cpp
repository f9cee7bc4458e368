// SPDX-License-Identifier: MIT
// The one out-of-line member of hashboard::Transport (hal/src/transport/transport.cpp),
// so the sim: option parser links without every transport behind open_transport.
#include <hashboard/transport.hpp>

#include <stdexcept>

void hashboard::Transport::set_reset(bool)
{
	throw std::logic_error("transport " + describe() + " has no reset line");
}
