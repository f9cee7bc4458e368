# The tree reads one way: core -> sim -> hal -> tools/userspace (docs/ARCHITECTURE.md).
# Fails when an include goes against it:
#  - core/ includes only core's own public headers (nothing from sim/ or hal/);
#  - sim/ includes only core's public headers and its own;
#  - the HAL's public headers include only public headers, and no simulator header;
#  - nothing includes another library's src/ by a relative path;
#  - the tuner (hal/src/tuning, hashboard/tuning) includes nothing of the simulator.
set(bad "")

function(public_headers dir out)
	file(GLOB_RECURSE hs RELATIVE "${dir}" "${dir}/*.hpp")
	set(${out} ${hs} PARENT_SCOPE)
endfunction()
public_headers("${ROOT}/core/include" core_headers)

function(check_includes dir allowed_prefixes what)
	file(GLOB_RECURSE files "${dir}/*.cpp" "${dir}/*.hpp")
	foreach(f ${files})
		file(STRINGS "${f}" incs REGEX "^#include <(hashboard|hbsim)/")
		foreach(line ${incs})
			string(REGEX REPLACE "^#include <([^>]*)>.*" "\\1" h "${line}")
			set(ok FALSE)
			foreach(p ${allowed_prefixes})
				if(EXISTS "${p}/${h}")
					set(ok TRUE)
				endif()
			endforeach()
			if(NOT ok)
				set(bad "${bad}\n${f}: <${h}> (${what})" PARENT_SCOPE)
			endif()
		endforeach()
	endforeach()
endfunction()

check_includes("${ROOT}/core" "${ROOT}/core/include" "core sees only core")
set(core_bad "${bad}")
check_includes("${ROOT}/sim" "${ROOT}/core/include;${ROOT}/sim/include" "sim sees core and itself")
check_includes("${ROOT}/hal/include" "${ROOT}/core/include;${ROOT}/hal/include"
	"public HAL headers see only public core and HAL headers")

# The tuner sees only what a real board shows: never the simulator's hidden physics or
# the oracle computed from it (docs/tuning.md).
file(GLOB_RECURSE tuning_sources "${ROOT}/hal/src/tuning/*.?pp"
	"${ROOT}/hal/include/hashboard/tuning/*.hpp")
foreach(f ${tuning_sources})
	file(STRINGS "${f}" hidden REGEX "^#include [<\"](hbsim/|hashboard/board/sim_|.*physics)")
	if(hidden)
		set(bad "${bad}\n${f}: ${hidden} (the tuner must not read the simulator's hidden parameters)")
	endif()
endforeach()

file(GLOB_RECURSE hal_public "${ROOT}/hal/include/*.hpp")
foreach(f ${hal_public})
	file(STRINGS "${f}" quoted REGEX "^#include \"")
	if(quoted)
		set(bad "${bad}\n${f}: ${quoted} (a public header includes an internal one)")
	endif()
endforeach()

file(GLOB_RECURSE everything
	"${ROOT}/core/*.?pp" "${ROOT}/sim/*.?pp" "${ROOT}/hal/*.?pp" "${ROOT}/tools/*.?pp"
	"${ROOT}/tests/*.?pp" "${ROOT}/bench/*.?pp" "${ROOT}/userspace/*.?pp")
foreach(f ${everything})
	file(STRINGS "${f}" reach REGEX "^#include \"[^\"]*\\.\\./")
	if(reach)
		set(bad "${bad}\n${f}: ${reach} (reaches into another folder by a relative path)")
	endif()
endforeach()

if(bad)
	message(FATAL_ERROR "includes against the layers:${bad}")
endif()
message(STATUS "includes read core -> sim -> hal -> tools")
