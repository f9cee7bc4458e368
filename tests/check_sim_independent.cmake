# Fails when any file under SIM_DIR names the HAL's chip family table, or the host-side
# chip facts of the core's wire.hpp (the crystal, the reset bauds, the host's tolerances)
# that the simulator states for itself. The plain UART framing and the frame sizes it may
# take from there.
file(GLOB_RECURSE files "${SIM_DIR}/*")
set(bad "")
foreach(f ${files})
	file(STRINGS "${f}" hits REGEX "chip_family\\.hpp|ChipFamily|family_by_name|pll_for_frequency|pll_from_register|pll_register_value|baud_from_registers|baud_writes|nonce_identity|nonce_with_identity|reply_subid_mask|hashboard::kCrystalHz|hashboard::kResetBaud|kResetHostBaud|hashboard::kBaudTolerance|kHostDivisorTolerance")
	if(hits)
		list(APPEND bad "${f}: ${hits}")
	endif()
endforeach()
if(bad)
	list(JOIN bad "\n" text)
	message(FATAL_ERROR "sim/ uses the HAL's chip family table:\n${text}")
endif()
message(STATUS "sim/ is independent of the HAL's chip family table")
