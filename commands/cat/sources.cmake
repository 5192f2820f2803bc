# cat FILE...: the one list of its source files (relative to this
# directory), read by both builds: commands/cat/CMakeLists.txt (Linux host)
# and arch-i386/image/servers.cmake (i386 image).
#
#   umk_cat_MAIN  the program cat (a user process PM spawns)
set(umk_cat_MAIN cat.cc)
