# tty_*.cc: TTY in booted systems (the Linux host in-process, and the `umk`
# executable with etc/boot.conf through tests/linux/booted_system.h), with
# the test service st_tty (programs/st_tty.cc).
servers_test_require(umk_test_booted umk_host umk tty rs)
umk_linux_service(st_tty ${CMAKE_CURRENT_SOURCE_DIR}/programs/st_tty.cc)
target_link_libraries(st_tty PRIVATE umk_ds umk_service)

target_link_libraries(${servers_test_target} PRIVATE umk_test_booted umk_host)
target_include_directories(${servers_test_target} PRIVATE ${umk_SOURCE_DIR}/tests/linux
                           ${umk_SOURCE_DIR}/lib/include)
target_compile_definitions(${servers_test_target} PRIVATE UMK_TEST_PROGRAMS="${UMK_LIBEXEC_DIR}")
add_dependencies(${servers_test_target} umk rs ds pm vm devman hello tty st_tty cat)
