# vm_*: VM's records, VM_RS_UPDATE and the state transfer, in-process;
# vm_live_test.cc boots the real system (VM's live update, rollbacks and
# crash; tests/linux/booted_system.h).
target_link_libraries(${servers_test_target} PRIVATE umk_vm_server umk_servers_fake)
servers_test_require(umk_test_booted umk rs vm st_vminfo)
target_link_libraries(${servers_test_target} PRIVATE umk_test_booted)
target_compile_definitions(${servers_test_target} PRIVATE UMK_TEST_PROGRAMS="${UMK_LIBEXEC_DIR}")
add_dependencies(${servers_test_target} umk rs ds pm vm devman tty hello cat st_vminfo)
