# ds_*: DS handlers, the regex matcher, the state transfer and the client
# library, in-process; ds_live_test.cc boots the real system (DS's live
# update, rollbacks and crash with its store; tests/linux/booted_system.h).
target_link_libraries(${servers_test_target} PRIVATE umk_ds_server umk_ds umk_servers_fake)
servers_test_require(umk_test_booted umk rs ds st_dskeep st_dsprobe)
target_link_libraries(${servers_test_target} PRIVATE umk_test_booted)
target_compile_definitions(${servers_test_target} PRIVATE UMK_TEST_PROGRAMS="${UMK_LIBEXEC_DIR}")
add_dependencies(${servers_test_target} umk rs ds pm vm devman tty hello cat st_dskeep st_dsprobe)
