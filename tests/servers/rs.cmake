# RS tests (servers_rs_tests): RS's policy (servers/rs/, manager.h) on a fake
# Host (rs_fake_host.h), the `umk service` argument parser, and the
# integration tests that boot the real system (rs_system_test.cc).
target_link_libraries(${servers_test_target} PRIVATE umk_rs_core umk_service_cli)
target_compile_definitions(${servers_test_target} PRIVATE UMK_SOURCE_DIR="${umk_SOURCE_DIR}"
                           UMK_BINARY_DIR="${CMAKE_BINARY_DIR}")

# The misbehaving service of the integration tests (libexec/umk/rs_victim).
if(TARGET umk_service AND COMMAND umk_linux_service)
  umk_linux_service(rs_victim ${CMAKE_CURRENT_SOURCE_DIR}/rs_victim_service.cpp)
  target_compile_options(rs_victim PRIVATE -fno-exceptions -fno-rtti)
endif()
# The integration tests run build/.../umk and the service programs.
foreach(t umk rs ds vm pm devman tty cat recover hello hello_v2 rs_victim)
  if(TARGET ${t})
    add_dependencies(${servers_test_target} ${t})
  endif()
endforeach()
if(UMK_SANITIZE)
  # Sanitized services run without the strict seccomp filter (lib/README.md).
  target_compile_definitions(${servers_test_target} PRIVATE UMK_SANITIZED_SERVICES=1)
endif()
