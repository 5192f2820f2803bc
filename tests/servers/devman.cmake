# devman_*.cc: devman's state across live updates and crashes in booted
# systems (the `umk` executable with etc/boot.conf, tests/linux/booted_system.h),
# with the slow driver st_stream (programs/st_stream.cc).
servers_test_require(umk_test_booted umk_host umk devman rs st_stream)
target_link_libraries(${servers_test_target} PRIVATE umk_test_booted umk_host)
target_include_directories(${servers_test_target} PRIVATE ${umk_SOURCE_DIR}/tests/linux
                           ${umk_SOURCE_DIR}/lib/include)
target_compile_definitions(${servers_test_target} PRIVATE UMK_TEST_PROGRAMS="${UMK_LIBEXEC_DIR}")
add_dependencies(${servers_test_target} umk rs ds pm vm devman hello tty cat st_stream)
set(servers_test_timeout 120)
