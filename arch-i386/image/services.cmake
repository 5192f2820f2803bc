# Ring-3 services for the i386 image: the arch-neutral service library
# (lib/*.cc, lib/sef/*.cc, with the base library) plus lib/arch-i386, and the
# programs built on it, each an ELF32 linked at USER_BASE. A program's file
# name is its boot-module name.

# The arch-neutral sources as lib/CMakeLists.txt lists them (passed in by
# arch-i386/CMakeLists.txt); standalone, the same rule as lib/ has.
if(UMK_SERVICE_NEUTRAL_SOURCES)
  set(_lib_neutral ${UMK_SERVICE_NEUTRAL_SOURCES})
else()
  file(GLOB _lib_neutral CONFIGURE_DEPENDS ${UMK_SOURCE_DIR}/lib/*.cc ${UMK_SOURCE_DIR}/lib/sef/*.cc)
endif()
file(GLOB _lib_i386 CONFIGURE_DEPENDS ${UMK_SOURCE_DIR}/lib/arch-i386/*.cc
     ${UMK_SOURCE_DIR}/arch-i386/common/*.cc)
add_library(umk_service_i386 STATIC ${_lib_neutral} ${_lib_i386})
target_include_directories(umk_service_i386
  PUBLIC ${UMK_SOURCE_DIR}/lib/include
  PRIVATE ${UMK_SOURCE_DIR}/lib)
target_link_libraries(umk_service_i386 PUBLIC umk_base_i386)

# The DS client library (lib/ds), for the servers and the test services.
if(EXISTS ${UMK_SOURCE_DIR}/lib/ds/ds.cc)
  add_library(umk_ds_i386 STATIC ${UMK_SOURCE_DIR}/lib/ds/ds.cc)
  target_link_libraries(umk_ds_i386 PUBLIC umk_service_i386)
endif()

set(UMK_I386_SERVICES "" CACHE INTERNAL "")
# The programs of arch-i386's own scenarios (tests/i386/services). Everything
# else here is borrowed from other parts of the tree (tests/services,
# tests/servers/programs, servers/, drivers/); see arch-i386/CMakeLists.txt
# for why the difference matters to the build.
set(UMK_I386_OWN_SERVICES "" CACHE INTERNAL "")

# umk_i386_service(<name> <sources...> [INCLUDES dirs...])
function(umk_i386_service name)
  cmake_parse_arguments(S "" "" "INCLUDES" ${ARGN})
  add_executable(${name} ${S_UNPARSED_ARGUMENTS})
  target_include_directories(${name} PRIVATE ${S_INCLUDES})
  # The library twice around the program: it defines _start (needs main)
  # and the program needs the library.
  target_link_libraries(${name} PRIVATE umk_service_i386 gcc)
  target_link_options(${name} PRIVATE -T ${UMK_SOURCE_DIR}/lib/arch-i386/service.ld
                      -Wl,--gc-sections -Wl,--no-warn-rwx-segments
                      -Wl,--undefined=_start)
  set_target_properties(${name} PROPERTIES LINK_DEPENDS ${UMK_SOURCE_DIR}/lib/arch-i386/service.ld)
  set(UMK_I386_SERVICES ${UMK_I386_SERVICES} ${name} CACHE INTERNAL "")
endfunction()

# The test services shared with the Linux host tests (the portable ones:
# test_crash and test_hostile exercise Linux system calls).
foreach(s test_pong test_ping test_sigmgr)
  if(EXISTS ${UMK_SOURCE_DIR}/tests/services/${s}.cc)
    umk_i386_service(${s} ${UMK_SOURCE_DIR}/tests/services/${s}.cc)
  endif()
endforeach()

# The programs of the system tests (tests/servers/programs: the MINIX DS
# test suite, PM user processes, cat, kill...), where they exist.
file(GLOB _st_programs CONFIGURE_DEPENDS ${UMK_SOURCE_DIR}/tests/servers/programs/st_*.cc)
foreach(src ${_st_programs})
  get_filename_component(s ${src} NAME_WE)
  umk_i386_service(${s} ${src} INCLUDES ${UMK_SOURCE_DIR}/tests/servers/programs)
  if(TARGET umk_ds_i386)
    target_link_libraries(${s} PRIVATE umk_ds_i386)
  endif()
endforeach()

# i386 test services (tests/i386/services/<name>.cc).
file(GLOB _i386_services CONFIGURE_DEPENDS ${UMK_SOURCE_DIR}/tests/i386/services/*.cc)
foreach(src ${_i386_services})
  get_filename_component(s ${src} NAME_WE)
  umk_i386_service(${s} ${src} INCLUDES ${UMK_SOURCE_DIR}/tests/services)
  # Those that talk to RS (rs_client.h) need RS (servers/rs) in the image:
  # borrowed code too, so they are not essential.
  file(STRINGS ${src} _uses_rs REGEX "#include \"rs_client.h\"")
  if(NOT _uses_rs)
    set(UMK_I386_OWN_SERVICES ${UMK_I386_OWN_SERVICES} ${s} CACHE INTERNAL "")
  endif()
  if(TARGET umk_ds_i386)
    target_link_libraries(${s} PRIVATE umk_ds_i386)
  endif()
endforeach()
