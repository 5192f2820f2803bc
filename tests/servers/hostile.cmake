# hostile_*: attacker programs inside a booted system (hostile_system_test.cc).
include(${CMAKE_CURRENT_LIST_DIR}/system.cmake)
