# The core is compiled once per arch, because Proc embeds the arch's
# ArchProc (from "arch_proc.h" in the arch's include directory).
#
#   umk_core_library(<target> <dir holding arch_proc.h>)
function(umk_core_library target arch_include_dir)
  file(GLOB _core_sources CONFIGURE_DEPENDS
       ${umk_SOURCE_DIR}/umk/*.cc ${umk_SOURCE_DIR}/umk/ipc/*.cc ${umk_SOURCE_DIR}/umk/calls/*.cc)
  add_library(${target} STATIC ${_core_sources})
  target_include_directories(${target} PUBLIC ${umk_SOURCE_DIR} ${arch_include_dir})
  # Freestanding: no exceptions, no RTTI, no thread-safe statics (no libc++abi guards).
  target_compile_options(${target} PRIVATE -ffreestanding -fno-exceptions -fno-rtti
                         -fno-threadsafe-statics)
endfunction()
