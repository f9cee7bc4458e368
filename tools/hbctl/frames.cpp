// SPDX-License-Identifier: MIT
// hbctl frames: turn captured bytes into frames (decode) and frames into bytes (encode);
// re-check a capture's nonces against its jobs (replay).
#include "frames.hpp"

namespace hbctl {

Runner add_frames_command(CLI::App &app)
{
	auto *cmd =
	    app.add_subcommand("frames", "decode captured chain traffic, or print the exact "
	                                 "bytes of a command or job");
	cmd->require_subcommand(1);
	const Runner decode = add_frames_decode(*cmd);
	const Runner encode = add_frames_encode(*cmd);
	const Runner replay = add_frames_replay(*cmd);
	return [cmd, decode, encode, replay]() {
		if (cmd->got_subcommand("decode"))
			return decode();
		return cmd->got_subcommand("replay") ? replay() : encode();
	};
}

} // namespace hbctl
