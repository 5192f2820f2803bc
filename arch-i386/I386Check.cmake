# Can this machine build and boot the i386 image? Sets (cached):
#   UMK_I386_CAN_BUILD  g++ -m32 links a 32-bit object (g++-multilib)
#   UMK_I386_QEMU       qemu-system-i386, or ...-NOTFOUND
#   UMK_I386_GRUB_MKRESCUE / UMK_I386_XORRISO  for the ISO
# and UMK_I386_IMAGE_DIR, where the sub-build puts its output.
# Included by arch-i386/ (which builds) and tests/i386/ (which boots).

if(NOT DEFINED UMK_I386_CAN_BUILD)
  set(_dir ${CMAKE_BINARY_DIR}/CMakeFiles/umk_i386_check)
  file(MAKE_DIRECTORY ${_dir})
  file(WRITE ${_dir}/t.cc "int umk_i386_check(int x) { return x + 1; }\n")
  execute_process(COMMAND g++ -m32 -c t.cc -o t.o WORKING_DIRECTORY ${_dir}
                  RESULT_VARIABLE _r OUTPUT_QUIET ERROR_QUIET)
  if(_r EQUAL 0)
    execute_process(COMMAND file t.o WORKING_DIRECTORY ${_dir} OUTPUT_VARIABLE _f
                    RESULT_VARIABLE _r2)
    if(NOT _r2 EQUAL 0 OR _f MATCHES "32-bit")
      set(_ok ON)
    else()
      set(_ok OFF)
    endif()
  else()
    set(_ok OFF)
  endif()
  set(UMK_I386_CAN_BUILD ${_ok} CACHE BOOL "g++ -m32 works (checked at configure time)")
  if(NOT _ok)
    message(STATUS "umk i386: g++ -m32 does not work (install g++-multilib); not building it")
  endif()
endif()

find_program(UMK_I386_QEMU qemu-system-i386)
find_program(UMK_I386_GRUB_MKRESCUE grub-mkrescue)
find_program(UMK_I386_XORRISO xorriso)
set(UMK_I386_IMAGE_DIR ${CMAKE_BINARY_DIR}/arch-i386/image)
