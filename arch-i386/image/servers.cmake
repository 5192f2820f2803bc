# The system servers, drivers and commands as i386 boot modules, from the
# same sources as on Linux. Each directory lists its files once, in its
# sources.cmake (servers/ds/sources.cmake, ...), which its host
# CMakeLists.txt reads too: a file added there is built here as well. Here
# the handlers and the main loop are compiled together into one ring-3
# program, with lib/ds. A listed file that does not exist is a configure
# error, as on the host.
# UMK_I386_SERVERS=OFF leaves them out (the core scenarios need none).
option(UMK_I386_SERVERS "Build servers/ and drivers/ for i386" ON)
if(NOT UMK_I386_SERVERS)
  return()
endif()
if(NOT TARGET umk_ds_i386)
  message(FATAL_ERROR "umk i386: the servers need lib/ds (umk_ds_i386, services.cmake)")
endif()

include(${UMK_SOURCE_DIR}/cmake/UmkSystemConf.cmake)
set(_srv ${UMK_SOURCE_DIR}/servers)
set(_drv ${UMK_SOURCE_DIR}/drivers)
set(_cmd ${UMK_SOURCE_DIR}/commands)

# umk_i386_server(<name> DIR <dir> SOURCES <file>... [INCLUDES <dir>...]
#                 [DEFINITIONS <def>...])
# The boot module <name> from SOURCES (relative to DIR, as sources.cmake
# lists them, or absolute), seeing DIR's headers, linked with lib/ds.
function(umk_i386_server name)
  cmake_parse_arguments(S "" "DIR" "SOURCES;INCLUDES;DEFINITIONS" ${ARGN})
  set(_sources "")
  foreach(f ${S_SOURCES})
    cmake_path(ABSOLUTE_PATH f BASE_DIRECTORY ${S_DIR})
    list(APPEND _sources ${f})
  endforeach()
  umk_i386_service(${name} ${_sources} INCLUDES ${S_DIR} ${S_INCLUDES})
  target_link_libraries(${name} PRIVATE umk_ds_i386)
  target_compile_definitions(${name} PRIVATE ${S_DEFINITIONS})
endfunction()

# In the order of their boot modules (initrd.txt, the ISOs' module lines).
# The servers with handlers and a main loop (umk_<name>_HANDLERS, _MAIN).
foreach(s ds vm pm devman tty guard)
  include(${_srv}/${s}/sources.cmake)
  umk_i386_server(${s} DIR ${_srv}/${s} SOURCES ${umk_${s}_MAIN} ${umk_${s}_HANDLERS})
endforeach()
include(${_drv}/hello/sources.cmake)
umk_i386_server(hello DIR ${_drv}/hello SOURCES ${umk_hello_MAIN} ${umk_hello_HANDLERS})

# User programs (commands/): PM spawns them from their boot module.
foreach(c cat recover)
  include(${_cmd}/${c}/sources.cmake)
  umk_i386_server(${c} DIR ${_cmd}/${c} SOURCES ${umk_${c}_MAIN})
endforeach()

# hello's second version, for live-update demonstrations.
umk_i386_server(hello_v2 DIR ${_drv}/hello SOURCES ${umk_hello_MAIN} ${umk_hello_HANDLERS}
                DEFINITIONS ${umk_hello_v2_DEFINITIONS})

# RS: its policy and main loop, the system.conf parser (lib/conf), and
# etc/system.conf built in (no file system on i386 either).
include(${_srv}/rs/sources.cmake)
include(${UMK_SOURCE_DIR}/lib/conf/sources.cmake)
list(TRANSFORM umk_conf_SOURCES PREPEND ${UMK_SOURCE_DIR}/lib/conf/)
umk_builtin_system_conf(${CMAKE_BINARY_DIR}/rs_builtin_conf.cc)
umk_i386_server(rs DIR ${_srv}/rs
                SOURCES ${umk_rs_MAIN} ${umk_rs_CORE} ${umk_conf_SOURCES}
                        ${CMAKE_BINARY_DIR}/rs_builtin_conf.cc)
