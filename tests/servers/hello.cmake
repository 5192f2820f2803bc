# hello_*: the hello driver's state machine, and devman in front of it, with
# DS in-process.
target_link_libraries(${servers_test_target} PRIVATE umk_hello_driver umk_devman_server
                                                     umk_ds_server umk_ds umk_servers_fake)
# devman's state transfer (hello_devman_state_test.cc) against an in-memory
# sef_state (fake/sef_state_fake.cc).
target_sources(${servers_test_target} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/fake/sef_state_fake.cc
                                                 ${umk_SOURCE_DIR}/lib/sef/sef_state_error.cc)
