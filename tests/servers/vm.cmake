# vm_*: VM's records and VM_RS_UPDATE, in-process.
target_link_libraries(${servers_test_target} PRIVATE umk_vm_server umk_servers_fake)
