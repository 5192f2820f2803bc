# Fails if code outside the kernel includes a kernel-internal header. Run as
# a test:   cmake -DROOT=<source dir> -P CheckLayering.cmake
#
# The kernel's internal headers are the ones in umk/ (proc.h, priv.h,
# kernel.h, arch.h ...): the process and privilege tables and the entry
# points between the core and its arch. Only the kernel side may include
# them: the core itself, the two arches' kernel code, the Linux host's
# in-process embedders (the `umk` executable's boot, the host library) and
# the tests of those. Services, the service library, the servers, the
# drivers, the commands, the control socket and the SDK see the public ABI
# (include/umk/) only. README.md, "Layering", says why.
set(kernel_side
    umk/ arch-linux/src/ arch-linux/include/ arch-linux/include_arch/ arch-linux/cli/
    arch-i386/kernel/ arch-i386/include_arch/ tests/core/ tests/linux/)
file(GLOB internal RELATIVE ${ROOT}/umk ${ROOT}/umk/*.h ${ROOT}/umk/*/*.h)
file(GLOB_RECURSE sources RELATIVE ${ROOT} ${ROOT}/*.h ${ROOT}/*.cc ${ROOT}/*.cpp)
set(bad "")
set(checked 0)
foreach(f ${sources})
  if(f MATCHES "^(build|\\.git)/")
    continue()
  endif()
  set(allowed FALSE)
  foreach(k ${kernel_side})
    string(FIND "${f}" "${k}" at)
    if(at EQUAL 0)
      set(allowed TRUE)
    endif()
  endforeach()
  if(allowed)
    continue()
  endif()
  math(EXPR checked "${checked} + 1")
  file(STRINGS ${ROOT}/${f} lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"umk/")
  foreach(l ${lines})
    string(REGEX REPLACE ".*\"umk/([^\"]+)\".*" "\\1" h "${l}")
    if(NOT EXISTS ${ROOT}/include/umk/${h})
      list(FIND internal "${h}" idx)
      if(NOT idx EQUAL -1)
        string(APPEND bad "  ${f}: \"umk/${h}\"\n")
      else()
        string(APPEND bad "  ${f}: \"umk/${h}\" (no such public header)\n")
      endif()
    endif()
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "kernel-internal headers included outside the kernel (use the public "
                      "ABI in include/umk/ instead):\n${bad}")
endif()
message(STATUS "layering: ${checked} files outside the kernel include only the public ABI")
