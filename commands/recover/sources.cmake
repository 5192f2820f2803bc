# recover LABEL REASON RESTARTS, the recovery script RS runs: the one list
# of its source files (relative to this directory), read by both builds:
# commands/recover/CMakeLists.txt (Linux host) and
# arch-i386/image/servers.cmake (i386 image).
#
#   umk_recover_MAIN  the program recover (a user process PM spawns)
set(umk_recover_MAIN recover.cc)
