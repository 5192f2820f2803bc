# The guardian's decisions (servers/guard/guard.cc) on a fake GuardHost.
servers_test_require(umk_guard_server)
target_link_libraries(${servers_test_target} PRIVATE umk_guard_server)
