# umk_server(<program> LIBRARY <lib> HANDLERS <src>... MAIN <src>...
#            [DEFINITIONS <def>...])
#
# A system server or driver on the Linux host, in two parts: its request
# handlers as the freestanding static library <lib> (unit tests drive it
# in-process against a fake service library), and - when the service
# library exists - the <program> executable built from the MAIN sources,
# which add the SEF loop. The program goes next to the others in
# libexec/umk (umk_linux_service()).
#
# The source lists come from the directory's sources.cmake, which the i386
# image (arch-i386/image/servers.cmake) reads too.
function(umk_server program)
  cmake_parse_arguments(S "" "LIBRARY" "HANDLERS;MAIN;DEFINITIONS" ${ARGN})
  add_library(${S_LIBRARY} STATIC ${S_HANDLERS})
  target_include_directories(${S_LIBRARY} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${S_LIBRARY} PUBLIC umk_ds)
  umk_freestanding(${S_LIBRARY})
  if(S_DEFINITIONS)
    target_compile_definitions(${S_LIBRARY} PUBLIC ${S_DEFINITIONS})
  endif()
  if(TARGET umk_service)
    umk_linux_service(${program} ${S_MAIN})
    target_link_libraries(${program} PRIVATE ${S_LIBRARY} umk_ds umk_service)
  endif()
endfunction()
