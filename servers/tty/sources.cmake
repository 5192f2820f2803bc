# TTY, the console server: the one list of its source files (relative to
# this directory), read by both builds: servers/tty/CMakeLists.txt (Linux
# host) and arch-i386/image/servers.cmake (i386 image).
#
#   umk_tty_HANDLERS  the request handlers (library umk_tty_server)
#   umk_tty_MAIN      the program tty: SEF and the receive loop
set(umk_tty_HANDLERS tty.cc state.cc)
set(umk_tty_MAIN main.cc)
