# pm_*: PM's process table and signal routing, in-process.
target_link_libraries(${servers_test_target} PRIVATE umk_pm_server umk_servers_fake)
