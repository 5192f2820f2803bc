// A minimal program linked with umk_service, for the Linux startup tests
// (linux_startup_test.cc). argv[1] says what to do after the library's
// startup ran (it never gets here when started outside umk):
//   exit        return 0 from main (glibc's exit path under the filter)
//   malloc      allocate and free small and large blocks, then exit 0
//   forbidden   make a syscall the filter forbids (getppid) -> SIGSYS
//   exec-map    mmap with PROT_EXEC -> SIGSYS
//   abort       abort() -> SIGABRT (tgkill to ourselves is allowed)
//   uptime      sys_uptime through the trap; exit code = result (0 = OK),
//               the ticks are printed by the fake kernel side, not here
//   whoami      self_endpoint() must equal argv[2]
//   bench N     N kernel calls in a row (for measuring the trap)
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "umklib/ipc.h"
#include "umklib/syslib.h"

int main(int argc, char** argv) {
    const std::string what = argc > 1 ? argv[1] : "exit";
    if (what == "exit") return 0;
    if (what == "malloc") {
        for (int i = 0; i < 1000; ++i) {
            void* small = std::malloc(static_cast<std::size_t>(i) * 16 + 1);
            void* big = std::malloc(1 << 20);  // above the mmap threshold
            std::memset(big, 1, 1 << 20);
            std::free(small);
            std::free(big);
        }
        return 0;
    }
    if (what == "forbidden") {
        syscall(SYS_getppid);
        return 0;
    }
    if (what == "exec-map") {
        mmap(nullptr, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return 0;
    }
    if (what == "abort") std::abort();
    if (what == "uptime") {
        umk::clock_t_ ticks = 0;
        const int r = umk::sys_uptime(&ticks);
        return r == umk::OK && ticks == 1234 ? 0 : 3;
    }
    if (what == "bench") {  // argv[2] kernel calls in a row (trap round-trip measurements)
        const int n = argc > 2 ? std::atoi(argv[2]) : 1000;
        for (int i = 0; i < n; ++i) {
            umk::clock_t_ ticks = 0;
            if (umk::sys_uptime(&ticks) != umk::OK) return 3;
        }
        return 0;
    }
    if (what == "whoami") {
        return argc > 2 && umk::self_endpoint() == std::atoi(argv[2]) ? 0 : 3;
    }
    return 2;
}
