# *_system_test.cc: boot a real system (the `umk` executable, through the
# fixture of tests/linux/booted_system.h) with the servers, hello and the
# st_* programs, and read the kernel log.
servers_test_require(umk_test_booted umk st_pm rs)
target_link_libraries(${servers_test_target} PRIVATE umk_test_booted umk_host)
target_include_directories(${servers_test_target} PRIVATE ${umk_SOURCE_DIR}/tests/linux
                           ${umk_SOURCE_DIR}/lib/include)
target_compile_definitions(${servers_test_target} PRIVATE UMK_TEST_PROGRAMS="${UMK_LIBEXEC_DIR}")
add_dependencies(${servers_test_target} umk rs ds pm vm devman hello hello_v2 cat
                 ${UMK_SERVERS_TEST_PROGRAMS})
