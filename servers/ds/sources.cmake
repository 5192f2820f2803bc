# DS, the data store: the one list of its source files (relative to this
# directory), read by both builds: servers/ds/CMakeLists.txt (Linux host)
# and arch-i386/image/servers.cmake (i386 image).
#
#   umk_ds_HANDLERS  the request handlers (library umk_ds_server)
#   umk_ds_MAIN      the program ds: SEF and the receive loop
set(umk_ds_HANDLERS store.cc state.cc ds_regex.cc)
set(umk_ds_MAIN main.cc)
