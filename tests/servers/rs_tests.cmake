# RS tests (included by tests/servers/CMakeLists.txt).
#   rs_unit_tests: RS's policy (servers/rs/manager.cc) on a fake Host, and the
#                  `umk service` argument parser; no processes.
file(GLOB _rs_unit CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/rs_*_test.cc)
if(_rs_unit AND TARGET umk_rs_core)
  add_executable(rs_unit_tests ${_rs_unit} ${umk_SOURCE_DIR}/umk/names.cc)
  target_link_libraries(rs_unit_tests PRIVATE umk_rs_core GTest::gtest_main)
  if(TARGET umk_service_cli)
    target_link_libraries(rs_unit_tests PRIVATE umk_service_cli)
    target_compile_definitions(rs_unit_tests PRIVATE UMK_HAVE_SERVICE_CLI=1)
  endif()
  gtest_discover_tests(rs_unit_tests DISCOVERY_TIMEOUT 60 PROPERTIES LABELS servers)
endif()
