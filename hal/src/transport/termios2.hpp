// SPDX-License-Identifier: MIT
//
// Serial line settings through the kernel's termios2 interface (TCGETS2/TCSETS2 with
// BOTHER), which takes any baud rate, where glibc's termios only knows the B* table.
// The kernel's <asm/termbits.h> defines its own struct termios that clashes with glibc's
// <termios.h>, so the definitions live in termios2.cpp, which includes only kernel
// headers, and this interface uses plain integers. Each call returns 0 or an errno value.
#pragma once

#include <cstdint>

namespace hashboard::transport::termios2 {

// Raw 8N1: no parity, no flow control (hardware or XON/XOFF), no echo, no line editing,
// no byte translation, baud both ways; reads return what is there (VMIN 1, VTIME 0:
// meant for O_NONBLOCK descriptors, where an empty read is EAGAIN).
int make_raw(int fd, std::uint32_t baud);
int set_baud(int fd, std::uint32_t baud);
// The output baud. On a pty master this reads the slave's settings: the kernel's
// termios ioctls on a master act on its slave, which is how hbsim follows the host.
int get_baud(int fd, std::uint32_t &baud);
int flush_input(int fd);
int flush_input_and_output(int fd);
// TIOCEXCL/TIOCNXCL: further open()s fail with EBUSY (except with CAP_SYS_ADMIN).
int set_exclusive(int fd, bool exclusive);

} // namespace hashboard::transport::termios2
