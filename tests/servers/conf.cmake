# system.conf parser tests (servers_conf_tests).
target_link_libraries(${servers_test_target} PRIVATE umk_conf)
target_compile_definitions(${servers_test_target} PRIVATE UMK_SOURCE_DIR="${umk_SOURCE_DIR}")
