// What runs in a service before any of its own code (a constructor with the
// first priority an application may use, 101, so it precedes every ordinary
// static constructor of the service):
//   1. map the SlotPage (fd 3) and the KernelPage (fd 4) that the umk kernel
//      passed us, MAP_SHARED, and close both descriptors;
//   2. PR_SET_NO_NEW_PRIVS, then the strict seccomp filter (seccomp_filter.cc).
// A binary started outside umk has no such descriptors: it says so on stderr
// and exits 1, before any confinement.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "pages.h"

namespace umk::linux_host {

SlotPage* slot_page = nullptr;
const KernelPage* kernel_page = nullptr;

namespace {

[[noreturn]] void refuse(const char* why) {
    std::fprintf(stderr,
                 "umk service: %s.\n"
                 "This program is a umk system service: it runs only when the umk kernel starts "
                 "it (which passes its slot page as fd %d and the kernel page as fd %d).\n",
                 why, SLOT_PAGE_FD, KERNEL_PAGE_FD);
    std::exit(1);
}

void* map_page(int fd, std::size_t need, const char* what, int prot) {
    struct stat st;
    char why[160];
    if (fstat(fd, &st) != 0) {
        std::snprintf(why, sizeof why, "the %s (fd %d) is missing", what, fd);
        refuse(why);
    }
    if (!S_ISREG(st.st_mode) || static_cast<std::size_t>(st.st_size) < need) {
        std::snprintf(why, sizeof why,
                      "fd %d is not the %s (not a shared memory file of %zu bytes)", fd, what,
                      need);
        refuse(why);
    }
    void* p = mmap(nullptr, need, prot, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        std::snprintf(why, sizeof why, "cannot map the %s (fd %d): %s", what, fd,
                      std::strerror(errno));
        refuse(why);
    }
    close(fd);
    return p;
}

}  // namespace

// Referenced by the link options of umk_service (-u), so that this object is
// linked into every service even when nothing else refers to it.
extern "C" void umk_service_startup() __attribute__((constructor(101)));

extern "C" void umk_service_startup() {
    constexpr std::size_t page = 4096;
    static_assert(sizeof(SlotPage) <= page && sizeof(KernelPage) <= page);
    // Check both before mapping either, so the message names what is wrong.
    struct stat st;
    if (fstat(SLOT_PAGE_FD, &st) != 0 && fstat(KERNEL_PAGE_FD, &st) != 0)
        refuse("it was started outside umk (fds 3 and 4 are not open)");
    slot_page =
        static_cast<SlotPage*>(map_page(SLOT_PAGE_FD, page, "slot page", PROT_READ | PROT_WRITE));
    // The kernel page is sealed against writes: a writable mapping would fail.
    kernel_page =
        static_cast<const KernelPage*>(map_page(KERNEL_PAGE_FD, page, "kernel page", PROT_READ));

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        std::fprintf(stderr, "umk service: PR_SET_NO_NEW_PRIVS failed: %s\n", std::strerror(errno));
        std::exit(1);
    }
    const int r = install_service_filter();
    if (r != 0) {
        std::fprintf(stderr, "umk service: cannot install the seccomp filter: %s\n",
                     std::strerror(-r));
        std::exit(1);
    }
}

}  // namespace umk::linux_host

#ifdef UMK_SERVICE_SANITIZED
// The leak checker stops the process with ptrace, which fails in a service
// the umk kernel already traces; switch it off for services.
extern "C" const char* __asan_default_options() {
    return "detect_leaks=0";
}
#endif
