# The core is compiled once per arch, because Proc embeds the arch's
# ArchProc (from "arch_proc.h" in the arch's include directory).
#
#   umk_core_library(<target> <dir holding arch_proc.h> <base library>)
#
# The top of the tree is on the core's include path, so the kernel, the
# arches and the core tests reach the kernel-internal headers as
# "umk/proc.h"; everything else sees only the public ABI (include/umk/,
# through the base library).
include(${CMAKE_CURRENT_LIST_DIR}/UmkFreestanding.cmake)
function(umk_core_library target arch_include_dir base_library)
  file(GLOB _core_sources CONFIGURE_DEPENDS
       ${umk_SOURCE_DIR}/umk/*.cc ${umk_SOURCE_DIR}/umk/ipc/*.cc ${umk_SOURCE_DIR}/umk/calls/*.cc)
  add_library(${target} STATIC ${_core_sources})
  target_include_directories(${target} PUBLIC ${umk_SOURCE_DIR} ${arch_include_dir})
  target_link_libraries(${target} PUBLIC ${base_library})
  umk_freestanding(${target})
endfunction()
