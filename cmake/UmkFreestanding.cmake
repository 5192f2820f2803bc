# Freestanding code and the base library, for the host build and the i386
# image alike (arch-i386/image includes this file too). The compile flags
# of the freestanding parts are written here and nowhere else (the i386
# toolchain file sets its own, for everything it compiles).
#
#   umk_freestanding(<target>...)   compile the targets' own sources as
#       freestanding C++: no host library runtime, no exceptions, no RTTI, no
#       thread-safe statics (no libc++abi guards). The kernel core, the
#       service library's neutral part, the servers' request handlers and
#       the base library use it.
#   umk_freestanding(HOSTED <target>...)   only the language subset: no
#       exceptions, no RTTI. For the service programs on the Linux host
#       (umk_linux_service() applies it), which link the host C library but
#       are written in the same C++ as on i386.
#   umk_base_library(<target>)      the base library (base/): string
#       helpers, the formatter, the names of errors, signals and calls. Its
#       include directory is the public ABI (include/), so linking it is how
#       a target sees "umk/....h".
function(umk_freestanding)
  cmake_parse_arguments(F "HOSTED" "" "" ${ARGN})
  set(_flags -fno-exceptions -fno-rtti)
  if(NOT F_HOSTED)
    set(_flags -ffreestanding ${_flags} -fno-threadsafe-statics)
  endif()
  foreach(t ${F_UNPARSED_ARGUMENTS})
    target_compile_options(${t} PRIVATE ${_flags})
  endforeach()
endfunction()

function(umk_base_library target)
  file(GLOB _base_sources CONFIGURE_DEPENDS ${umk_SOURCE_DIR}/base/*.cc)
  add_library(${target} STATIC ${_base_sources})
  target_include_directories(${target} PUBLIC ${umk_SOURCE_DIR}/include)
  umk_freestanding(${target})
endfunction()
