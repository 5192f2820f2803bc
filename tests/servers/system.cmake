# *_system_test.cc: boot a real system on the Linux host (in-process Host,
# tests/linux/harness.h) with the servers, hello and the st_* programs, and
# read the kernel log. Without the host (or the programs) the group is empty.
if(NOT TARGET umk_host OR NOT TARGET umk OR NOT TARGET st_pm OR NOT TARGET rs)
  set_target_properties(${servers_test_target} PROPERTIES EXCLUDE_FROM_ALL TRUE)
  set(servers_test_skip TRUE)
  return()
endif()
target_link_libraries(${servers_test_target} PRIVATE umk_host)
target_include_directories(${servers_test_target} PRIVATE ${umk_SOURCE_DIR}/tests/linux
                           ${umk_SOURCE_DIR}/lib/include)
target_compile_definitions(${servers_test_target} PRIVATE UMK_TEST_PROGRAMS="${UMK_LIBEXEC_DIR}"
                           UMK_EXE="$<TARGET_FILE:umk>")
add_dependencies(${servers_test_target} umk rs ds pm vm devman hello hello_v2 cat
                 ${UMK_SERVERS_TEST_PROGRAMS})
