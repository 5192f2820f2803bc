# The hello driver: the one list of its source files (relative to this
# directory), and what makes its second version, read by both builds:
# drivers/hello/CMakeLists.txt (Linux host) and arch-i386/image/servers.cmake
# (i386 image).
#
#   umk_hello_HANDLERS  the request handlers (libraries umk_hello_driver and
#                       umk_hello_v2_driver)
#   umk_hello_MAIN      the programs hello and hello_v2: SEF and the loop
#   umk_hello_v2_DEFINITIONS  what makes hello_v2 of the same sources (its
#                       log lines say "(v2)"), for live-update demonstrations
set(umk_hello_HANDLERS hello.cc)
set(umk_hello_MAIN main.cc)
set(umk_hello_v2_DEFINITIONS HELLO_V2)
