# PM, user processes and signals: the one list of its source files
# (relative to this directory), read by both builds:
# servers/pm/CMakeLists.txt (Linux host) and arch-i386/image/servers.cmake
# (i386 image).
#
#   umk_pm_HANDLERS  the request handlers (library umk_pm_server)
#   umk_pm_MAIN      the program pm: SEF and the receive loop
set(umk_pm_HANDLERS pm.cc signal.cc state.cc)
set(umk_pm_MAIN main.cc)
