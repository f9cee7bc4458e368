// SPDX-License-Identifier: MIT
//
// hbsim shares the HAL's descriptor, socket and termios2 helpers and the control
// protocol's words: the other end of the same links. They are internal to libhashboard
// (hal/src, through the hashboard-internal target), so they are named by path here.
#pragma once

#include "transport/fd_io.hpp"
#include "transport/hbsim_control.hpp"
#include "transport/termios2.hpp"
#include "transport/unique_fd.hpp"
#include "transport/unix_socket.hpp"

namespace hbsim_tool {

using hashboard::transport::UniqueFd;
using hashboard::transport::UnixListener;
namespace termios2 = hashboard::transport::termios2;
namespace control_words = hashboard::transport::hbsim_control;

} // namespace hbsim_tool
