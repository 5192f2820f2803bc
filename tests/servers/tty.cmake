# tty_*.cc: TTY in booted systems (the Linux host in-process, and the `umk`
# executable with etc/boot.conf), with the test service st_tty
# (programs/st_tty.cc). Without the host the group is empty.
if(NOT TARGET umk_host OR NOT TARGET umk OR NOT TARGET tty OR NOT TARGET rs
   OR NOT COMMAND umk_linux_service)
  set_target_properties(${servers_test_target} PROPERTIES EXCLUDE_FROM_ALL TRUE)
  set(servers_test_skip TRUE)
  return()
endif()
umk_linux_service(st_tty ${CMAKE_CURRENT_SOURCE_DIR}/programs/st_tty.cc)
target_link_libraries(st_tty PRIVATE umk_ds umk_service)
target_compile_options(st_tty PRIVATE -fno-exceptions -fno-rtti)

target_link_libraries(${servers_test_target} PRIVATE umk_host)
target_include_directories(${servers_test_target} PRIVATE ${umk_SOURCE_DIR}/tests/linux
                           ${umk_SOURCE_DIR}/lib/include)
target_compile_definitions(${servers_test_target} PRIVATE UMK_TEST_PROGRAMS="${UMK_LIBEXEC_DIR}"
                           UMK_EXE="$<TARGET_FILE:umk>"
                           UMK_BOOT_CONF="${UMK_ETC_DIR}/boot.conf")
add_dependencies(${servers_test_target} umk rs ds pm vm devman hello tty st_tty)
if(TARGET cat)  # `umk cat` runs the user program cat
  add_dependencies(${servers_test_target} cat)
endif()
