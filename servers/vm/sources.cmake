# VM: the one list of its source files (relative to this directory), read
# by both builds: servers/vm/CMakeLists.txt (Linux host) and
# arch-i386/image/servers.cmake (i386 image).
#
#   umk_vm_HANDLERS  the request handlers (library umk_vm_server)
#   umk_vm_MAIN      the program vm: SEF and the receive loop
set(umk_vm_HANDLERS vm.cc)
set(umk_vm_MAIN main.cc)
