# RS, the reincarnation server: the one list of its source files (relative
# to this directory), read by both builds: servers/rs/CMakeLists.txt (Linux
# host) and arch-i386/image/servers.cmake (i386 image).
#
#   umk_rs_CORE  the policy, freestanding, driven through Host (library
#                umk_rs_core; the unit tests link it with a fake Host)
#   umk_rs_MAIN  the program rs: the receive loop and the real Host, on the
#                service library
# Both builds add the generated builtin_conf.cc (etc/system.conf, see
# cmake/UmkSystemConf.cmake); both link the system.conf parser (lib/conf).
set(umk_rs_CORE
    table.cc
    request.cc
    recovery.cc
    update.cc
    self_update.cc
    restore.cc
    scripts.cc
    policy.cc)
set(umk_rs_MAIN main.cc rs_host.cc)
