# make install (PREFIX, DESTDIR): the programs, libhashboard with its headers, a CMake
# package and a pkg-config file, the systemd unit and sysusers entry, the default config,
# udev rules and the shipped board files. docs/daemon.md, "Installing".
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(HB_DOCDIR ${CMAKE_INSTALL_FULL_DOCDIR})
set(HB_BINDIR ${CMAKE_INSTALL_FULL_BINDIR})
set(HB_SYSCONFDIR ${CMAKE_INSTALL_FULL_SYSCONFDIR})
# systemd reads units and sysusers entries from <prefix>/lib/... for /usr and /usr/local.
set(HB_SYSTEMD_UNITDIR ${CMAKE_INSTALL_PREFIX}/lib/systemd/system CACHE PATH
	"where the systemd unit goes")
set(HB_SYSUSERSDIR ${CMAKE_INSTALL_PREFIX}/lib/sysusers.d CACHE PATH
	"where the sysusers.d entry goes")
set(HB_UDEVRULESDIR ${CMAKE_INSTALL_PREFIX}/lib/udev/rules.d CACHE PATH
	"where the udev rules go")

install(TARGETS hbctl hbsim-tool RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET hashboardd)
	install(TARGETS hashboardd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# libhashboard: static libraries (the HAL, its core and the in-process simulator it
# links as its sim: transport) and the public headers of the three layers.
install(TARGETS hashboard hashboard-core hbsim EXPORT hashboardTargets
	ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
	INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
foreach(dir core/include sim/include hal/include)
	install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endforeach()
set(HB_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/hashboard)
install(EXPORT hashboardTargets NAMESPACE hashboard:: DESTINATION ${HB_CMAKEDIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/hashboardConfig.cmake.in
	${PROJECT_BINARY_DIR}/hashboardConfig.cmake INSTALL_DESTINATION ${HB_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hashboardConfigVersion.cmake
	COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/hashboardConfig.cmake
	${PROJECT_BINARY_DIR}/hashboardConfigVersion.cmake DESTINATION ${HB_CMAKEDIR})
configure_file(${PROJECT_SOURCE_DIR}/cmake/hashboard.pc.in ${PROJECT_BINARY_DIR}/hashboard.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/hashboard.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The service.
configure_file(${PROJECT_SOURCE_DIR}/userspace/systemd/hashboardd.service.in
	${PROJECT_BINARY_DIR}/hashboardd.service @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/hashboardd.service DESTINATION ${HB_SYSTEMD_UNITDIR})
install(FILES ${PROJECT_SOURCE_DIR}/userspace/systemd/hashboardd.sysusers
	DESTINATION ${HB_SYSUSERSDIR} RENAME hashboardd.conf)
install(FILES ${PROJECT_SOURCE_DIR}/userspace/config/hashboardd.toml
	DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/hashboardd)
file(GLOB HB_UDEV_RULES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/udev/*.rules)
install(FILES ${HB_UDEV_RULES} DESTINATION ${HB_UDEVRULESDIR})
file(GLOB HB_BOARD_FILES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/boards/*.toml)
install(FILES ${HB_BOARD_FILES} DESTINATION ${CMAKE_INSTALL_DATADIR}/hashboard/boards)
# The test station's plans beside the boards they test (docs/station.md).
file(GLOB HB_PLAN_FILES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/plans/*.toml)
install(FILES ${HB_PLAN_FILES} DESTINATION ${CMAKE_INSTALL_DATADIR}/hashboard/plans)
file(GLOB HB_DOCS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${HB_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})
