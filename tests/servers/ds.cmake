# ds_*: DS handlers, the regex matcher and the client library, in-process.
target_link_libraries(${servers_test_target} PRIVATE umk_ds_server umk_ds umk_servers_fake)
