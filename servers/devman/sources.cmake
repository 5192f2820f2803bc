# devman, the device layer: the one list of its source files (relative to
# this directory), read by both builds: servers/devman/CMakeLists.txt (Linux
# host) and arch-i386/image/servers.cmake (i386 image).
#
#   umk_devman_HANDLERS  the request handlers (library umk_devman_server)
#   umk_devman_MAIN      the program devman: SEF and the receive loop
set(umk_devman_HANDLERS devman.cc state.cc)
set(umk_devman_MAIN main.cc)
