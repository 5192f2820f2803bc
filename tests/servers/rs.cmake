# RS tests (servers_rs_tests): RS's policy (servers/rs/, manager.h) on a fake
# Host (rs_fake_host.h), the `umk service` argument parser, and the
# integration tests that boot the real system (rs_live_test.cc, through
# tests/linux/booted_system.h).
servers_test_require(umk_test_booted umk_service umk)
target_link_libraries(${servers_test_target} PRIVATE umk_rs_core umk_service_cli umk_test_booted)
target_compile_definitions(${servers_test_target} PRIVATE UMK_TEST_PROGRAMS="${UMK_LIBEXEC_DIR}")

# The misbehaving service of the integration tests (libexec/umk/rs_victim).
umk_linux_service(rs_victim ${CMAKE_CURRENT_SOURCE_DIR}/rs_victim_service.cpp)
# The integration tests run build/.../umk and the service programs.
add_dependencies(${servers_test_target} umk rs ds vm pm devman tty cat recover hello hello_v2
                 rs_victim)
