# The guard, RS's guardian: the one list of its source files (relative to
# this directory), read by both builds: servers/guard/CMakeLists.txt (Linux
# host) and arch-i386/image/servers.cmake (i386 image).
#
#   umk_guard_HANDLERS  the decisions (guard.cc, on GuardHost; library
#                       umk_guard_server, which the unit tests link)
#   umk_guard_MAIN      the program guard: the kernel calls and the loop
set(umk_guard_HANDLERS guard.cc)
set(umk_guard_MAIN main.cc)
