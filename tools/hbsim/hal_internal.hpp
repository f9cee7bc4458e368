// SPDX-License-Identifier: MIT
//
// hbsim shares the HAL's descriptor and termios2 helpers and the control protocol's
// words; they are internal to libhashboard (hal/src), so they are named by path here.
#pragma once

#include "transport/hbsim_control.hpp"
#include "transport/termios2.hpp"
#include "transport/unique_fd.hpp"

namespace hbsim_tool {

using hashboard::transport::UniqueFd;
namespace termios2 = hashboard::transport::termios2;
namespace control_words = hashboard::transport::hbsim_control;

} // namespace hbsim_tool
