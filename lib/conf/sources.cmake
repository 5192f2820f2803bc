# The system.conf parser (freestanding; RS and the host tools): the one list
# of its source files (relative to this directory), read by both builds:
# lib/conf/CMakeLists.txt (Linux host) and arch-i386/image/servers.cmake
# (i386 image, where RS compiles it in).
#
#   umk_conf_SOURCES  the parser (library umk_conf on the host; compiled
#                     into rs on i386)
set(umk_conf_SOURCES system_conf.cc)
