# etc/system.conf built into RS, for the host build (servers/rs/CMakeLists.txt)
# and the i386 image (arch-i386/image/servers.cmake) alike: RS needs the
# policy of the boot services before any file system exists (and on i386
# there is none).
#
#   umk_builtin_system_conf(<output.cc>)   write <output.cc>, defining
#       umk::rs::builtin_system_conf (builtin_conf.h) as the text of
#       etc/system.conf; the calling directory re-configures when the file
#       changes. Add <output.cc> to RS's sources.
function(umk_builtin_system_conf output)
  set(_sysconf ${umk_SOURCE_DIR}/etc/system.conf)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_sysconf})
  file(READ ${_sysconf} _sysconf_text)
  file(CONFIGURE OUTPUT ${output} CONTENT
       "// Generated from etc/system.conf by cmake/UmkSystemConf.cmake.\n#include \"builtin_conf.h\"\nnamespace umk::rs {\nconst char builtin_system_conf[] = R\"umkconf(@_sysconf_text@)umkconf\";\nconst std::size_t builtin_system_conf_len = sizeof builtin_system_conf - 1;\n}  // namespace umk::rs\n"
       @ONLY)
endfunction()
