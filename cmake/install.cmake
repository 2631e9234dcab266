# Installing fenceline like a library others depend on:
#   bin/fenceline, bin/fenceline-record (when built), include/fenceline/*.h, lib/libfenceline.a,
#   lib/cmake/fenceline/ (find_package(fenceline) -> fenceline::fenceline), lib/pkgconfig/fenceline.pc,
#   share/man/man1/fenceline{,-record}.1, share/bash-completion/completions/fenceline.
# and CPack's DEB generator (cpack -G DEB in the build directory).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(FENCELINE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/fenceline)

# The static library's link dependencies travel with it: oneTBB and zlib are found again by
# fencelineConfig.cmake; libzstd through the exported fenceline_zstd wrapper.
set_target_properties(fenceline_lib PROPERTIES EXPORT_NAME fenceline)
install(TARGETS fenceline_lib fenceline_zstd EXPORT fencelineTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS fenceline_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The recorder's target may live anywhere in the tree (it is being moved); only its name counts.
if(TARGET fenceline_record)
  install(TARGETS fenceline_record RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${PROJECT_SOURCE_DIR}/docs/man/fenceline-record.1
    DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/fenceline DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT fencelineTargets NAMESPACE fenceline:: DESTINATION ${FENCELINE_CMAKE_DIR})

set(FENCELINE_ZSTD_CONFIG OFF)
if(TARGET zstd::libzstd_shared OR TARGET zstd::libzstd_static)
  set(FENCELINE_ZSTD_CONFIG ON)
endif()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/fencelineConfig.cmake.in
  ${PROJECT_BINARY_DIR}/fencelineConfig.cmake INSTALL_DESTINATION ${FENCELINE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/fencelineConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/fencelineConfig.cmake
  ${PROJECT_BINARY_DIR}/fencelineConfigVersion.cmake DESTINATION ${FENCELINE_CMAKE_DIR})

file(RELATIVE_PATH FENCELINE_PC_TO_PREFIX ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
configure_file(${PROJECT_SOURCE_DIR}/cmake/fenceline.pc.in ${PROJECT_BINARY_DIR}/fenceline.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/fenceline.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(FILES ${PROJECT_SOURCE_DIR}/docs/man/fenceline.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_SOURCE_DIR}/docs/man/fenceline.bash-completion
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME fenceline)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME fenceline)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "linearizability and fencing-token checker for histories of distributed systems")
set(CPACK_PACKAGE_CONTACT "fenceline maintainers <maintainers@fenceline.invalid>")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# Runtime dependencies from the binaries' shared libraries (dpkg-shlibdeps, in dpkg-dev).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
include(CPack)
