// What runs in a service before any of its own code (a constructor with the
// first priority an application may use, 101, so it precedes every ordinary
// static constructor of the service): map the SlotPage (fd 3) and the
// KernelPage (fd 4) that the umk kernel passed us, MAP_SHARED, at the fixed
// addresses the kernel's seccomp filter allows (umk/arch/linux.h).
//
// The service is confined already: the kernel installed its filter before
// the exec (arch-linux/src/service_filter.cc), so this code makes only calls
// that filter allows, and installs nothing itself. Only when a mapping fails
// (a binary started outside umk, or with the wrong descriptors: then it runs
// unconfined) does it look further, say what is wrong on stderr and exit 1.
#include <fcntl.h>
#include <sys/mman.h>
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

constexpr std::size_t PAGE = 4096;

[[noreturn]] void refuse(const char* why) {
    std::fprintf(stderr,
                 "umk service: %s.\n"
                 "This program is a umk system service: it runs only when the umk kernel starts "
                 "it (which passes its slot page as fd %d and the kernel page as fd %d).\n",
                 why, SLOT_PAGE_FD, KERNEL_PAGE_FD);
    std::exit(1);
}

// Exactly at `addr` (MAP_FIXED_NOREPLACE: never over something else).
void* map_at(std::uint64_t addr, int fd, int prot) {
    return mmap(reinterpret_cast<void*>(addr), PAGE, prot, MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
}

// Why a page could not be mapped (outside the filter only: fstat is not
// allowed under it, and under umk the descriptors are right).
void explain(int fd, const char* what, int map_errno) {
    struct stat st;
    char why[160];
    if (fstat(fd, &st) != 0) {
        std::snprintf(why, sizeof why, "the %s (fd %d) is missing", what, fd);
        refuse(why);
    }
    if (!S_ISREG(st.st_mode) || static_cast<std::size_t>(st.st_size) < PAGE) {
        std::snprintf(why, sizeof why,
                      "fd %d is not the %s (not a shared memory file of %zu bytes)", fd, what,
                      PAGE);
        refuse(why);
    }
    std::snprintf(why, sizeof why, "cannot map the %s (fd %d): %s", what, fd,
                  std::strerror(map_errno));
    refuse(why);
}

}  // namespace

// Referenced by the link options of umk_service (-u), so that this object is
// linked into every service even when nothing else refers to it.
extern "C" void umk_service_startup() __attribute__((constructor(101)));

extern "C" void umk_service_startup() {
    static_assert(sizeof(SlotPage) <= PAGE && sizeof(KernelPage) <= PAGE);
    void* s = map_at(SLOT_PAGE_ADDR, SLOT_PAGE_FD, PROT_READ | PROT_WRITE);
    const int slot_errno = errno;
    // The kernel page is sealed against writes: a writable mapping would fail.
    void* k = map_at(KERNEL_PAGE_ADDR, KERNEL_PAGE_FD, PROT_READ);
    const int kernel_errno = errno;
    if (s == MAP_FAILED || k == MAP_FAILED) {
        // Check both before naming either, so the message says what is wrong.
        struct stat st;
        if (fstat(SLOT_PAGE_FD, &st) != 0 && fstat(KERNEL_PAGE_FD, &st) != 0)
            refuse("it was started outside umk (fds 3 and 4 are not open)");
        if (s == MAP_FAILED) explain(SLOT_PAGE_FD, "slot page", slot_errno);
        explain(KERNEL_PAGE_FD, "kernel page", kernel_errno);
    }
    close(SLOT_PAGE_FD);
    close(KERNEL_PAGE_FD);
    slot_page = static_cast<SlotPage*>(s);
    kernel_page = static_cast<const KernelPage*>(k);
}

}  // namespace umk::linux_host
