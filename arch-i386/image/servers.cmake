# The system servers and drivers as i386 boot modules, from the same
# sources as on Linux (servers/*, drivers/*, lib/ds). Each server keeps its
# freestanding part in a library (manager.cc, store.cc, ...) and its main
# loop in main.cc; here both are compiled once more for ring 3.
# UMK_I386_SERVERS=OFF leaves them out (the core scenarios need none).
option(UMK_I386_SERVERS "Build servers/ and drivers/ for i386" ON)
if(NOT UMK_I386_SERVERS)
  return()
endif()

set(_srv ${UMK_SOURCE_DIR}/servers)
set(_drv ${UMK_SOURCE_DIR}/drivers)
set(_ds_include ${UMK_SOURCE_DIR}/lib/ds/include)

if(NOT TARGET umk_ds_i386)
  return()
endif()

# umk_i386_server(<name> SOURCES ... [INCLUDES ...] [DEFINES ...])
function(umk_i386_server name)
  cmake_parse_arguments(S "" "" "SOURCES;INCLUDES;DEFINES" ${ARGN})
  foreach(f ${S_SOURCES})
    if(NOT EXISTS ${f})
      message(STATUS "umk i386: ${name} not built (${f} missing)")
      return()
    endif()
  endforeach()
  umk_i386_service(${name} ${S_SOURCES} INCLUDES ${S_INCLUDES} ${_ds_include})
  target_link_libraries(${name} PRIVATE umk_ds_i386)
  target_compile_definitions(${name} PRIVATE ${S_DEFINES})
endfunction()

umk_i386_server(ds SOURCES ${_srv}/ds/main.cc ${_srv}/ds/store.cc ${_srv}/ds/ds_regex.cc
                INCLUDES ${_srv}/ds)
umk_i386_server(vm SOURCES ${_srv}/vm/main.cc ${_srv}/vm/vm.cc INCLUDES ${_srv}/vm)
umk_i386_server(pm SOURCES ${_srv}/pm/main.cc ${_srv}/pm/pm.cc ${_srv}/pm/signal.cc
                INCLUDES ${_srv}/pm)
umk_i386_server(devman SOURCES ${_srv}/devman/main.cc ${_srv}/devman/devman.cc
                INCLUDES ${_srv}/devman)
umk_i386_server(tty SOURCES ${_srv}/tty/main.cc ${_srv}/tty/tty.cc INCLUDES ${_srv}/tty)
umk_i386_server(hello SOURCES ${_drv}/hello/main.cc ${_drv}/hello/hello.cc INCLUDES ${_drv}/hello)
# User programs (commands/): PM spawns them from their boot module.
umk_i386_server(cat SOURCES ${UMK_SOURCE_DIR}/commands/cat/cat.cc)
umk_i386_server(recover SOURCES ${UMK_SOURCE_DIR}/commands/recover/recover.cc)
umk_i386_server(hello_v2 SOURCES ${_drv}/hello/main.cc ${_drv}/hello/hello.cc
                INCLUDES ${_drv}/hello DEFINES HELLO_V2)

# RS carries etc/system.conf inside (no file system on i386 either).
if(EXISTS ${_srv}/rs/main.cc AND EXISTS ${UMK_SOURCE_DIR}/etc/system.conf)
  set(_sysconf ${UMK_SOURCE_DIR}/etc/system.conf)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_sysconf})
  file(READ ${_sysconf} _sysconf_text)
  file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/rs_builtin_conf.cc CONTENT
       "// Generated from etc/system.conf by arch-i386/image/servers.cmake.\n#include \"builtin_conf.h\"\nnamespace umk::rs {\nconst char builtin_system_conf[] = R\"umkconf(@_sysconf_text@)umkconf\";\nconst std::size_t builtin_system_conf_len = sizeof builtin_system_conf - 1;\n}  // namespace umk::rs\n"
       @ONLY)
  umk_i386_server(rs SOURCES ${_srv}/rs/main.cc ${_srv}/rs/rs_host.cc ${_srv}/rs/table.cc
                  ${_srv}/rs/request.cc ${_srv}/rs/recovery.cc ${_srv}/rs/update.cc
                  ${_srv}/rs/self_update.cc ${_srv}/rs/scripts.cc ${_srv}/rs/policy.cc
                  ${UMK_SOURCE_DIR}/lib/conf/system_conf.cc
                  ${CMAKE_BINARY_DIR}/rs_builtin_conf.cc
                  INCLUDES ${_srv}/rs)
endif()
