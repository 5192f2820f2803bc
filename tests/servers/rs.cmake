# RS tests (servers_rs_tests): RS's policy (servers/rs/manager.cc) on a fake
# Host (rs_fake_host.h), the `umk service` argument parser, and the
# integration tests that boot the real system (rs_system_test.cc).
target_link_libraries(${servers_test_target} PRIVATE umk_rs_core umk_service_cli)
target_compile_definitions(${servers_test_target} PRIVATE UMK_SOURCE_DIR="${umk_SOURCE_DIR}"
                           UMK_BINARY_DIR="${CMAKE_BINARY_DIR}")
