# Toolchain for the freestanding i386 build (arch-i386/image): the host's
# g++ with -m32 (g++-multilib), no libc, no host runtime. Used only by the
# ExternalProject sub-build, so that the host presets' flags (sanitizers,
# -fPIE) never reach the kernel or the ring-3 services.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR i686)

set(CMAKE_C_COMPILER gcc)
set(CMAKE_CXX_COMPILER g++)
set(CMAKE_ASM_COMPILER gcc)

# -mgeneral-regs-only: neither the kernel nor the services use the FPU/SSE,
# so a context switch saves only the general registers (CR0.EM makes any FPU
# instruction fault).
set(_umk_i386_flags
    "-m32 -march=i686 -ffreestanding -fno-pic -fno-pie -fno-stack-protector -fcf-protection=none -fno-asynchronous-unwind-tables -fno-exceptions -fno-rtti -fno-threadsafe-statics -mgeneral-regs-only -fno-builtin-printf")
set(CMAKE_C_FLAGS_INIT "${_umk_i386_flags}")
set(CMAKE_CXX_FLAGS_INIT "${_umk_i386_flags}")
set(CMAKE_ASM_FLAGS_INIT "-m32")
# No build-id note: it would push the multiboot header out of the first 8 KiB.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-m32 -nostdlib -static -no-pie -Wl,--build-id=none")

# Try-compiles cannot link without a libc: build static libraries instead.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
