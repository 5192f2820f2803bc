# RS tests (servers_rs_tests): RS's policy (servers/rs/manager.cc) on a fake
# Host (rs_fake_host.h), and the `umk service` argument parser.
target_link_libraries(${servers_test_target} PRIVATE umk_rs_core)
if(TARGET umk_service_cli)
  target_link_libraries(${servers_test_target} PRIVATE umk_service_cli)
endif()
target_compile_definitions(${servers_test_target} PRIVATE UMK_SOURCE_DIR="${umk_SOURCE_DIR}")
