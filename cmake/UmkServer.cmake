# umk_server(<program> LIBRARY <lib> HANDLERS <src>... [DEFINITIONS <def>...])
#
# A system server or driver in two parts: its request handlers as the
# freestanding static library <lib> (unit tests drive it in-process against
# a fake service library), and - when the service library exists - the
# <program> executable built from main.cc, which adds the SEF loop. On the
# Linux host the program goes next to the others in libexec/umk.
function(umk_server program)
  cmake_parse_arguments(S "" "LIBRARY" "HANDLERS;DEFINITIONS" ${ARGN})
  add_library(${S_LIBRARY} STATIC ${S_HANDLERS})
  target_include_directories(${S_LIBRARY} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${S_LIBRARY} PUBLIC umk_ds)
  umk_freestanding(${S_LIBRARY})
  if(S_DEFINITIONS)
    target_compile_definitions(${S_LIBRARY} PUBLIC ${S_DEFINITIONS})
  endif()
  if(TARGET umk_service)
    if(COMMAND umk_linux_service)
      umk_linux_service(${program} main.cc)
    else()
      add_executable(${program} main.cc)
    endif()
    target_link_libraries(${program} PRIVATE ${S_LIBRARY} umk_ds umk_service)
    target_compile_options(${program} PRIVATE -fno-exceptions -fno-rtti)
  endif()
endfunction()
