// The boot modules: the service programs the loader put in memory. A module
// string is "PATH [ARGS]" (GRUB: `module /boot/pong pong-args`; QEMU:
// -initrd "path args,path2"); the program's name is the last component of
// PATH, and ARGS are extra arguments for boot processes.
#include "machine.h"
#include "umk/kernel.h"
#include "umk/str.h"

namespace umk::i386 {
namespace {

constexpr int MAX_MODULES = 64;
constexpr int NAME_MAX = 32;
constexpr int ARGS_MAX = 128;

Module modules[MAX_MODULES];
char names[MAX_MODULES][NAME_MAX];
char args[MAX_MODULES][ARGS_MAX];
int nr_modules;

}  // namespace

void modules_init(const MultibootInfo& mbi) {
    if (!(mbi.flags & MBI_MODS)) return;
    const auto* mods = reinterpret_cast<const MultibootModule*>(mbi.mods_addr);
    for (std::uint32_t i = 0; i < mbi.mods_count; ++i) {
        if (nr_modules == MAX_MODULES) {
            kprintf("i386: more than %d boot modules; ignoring the rest\n", MAX_MODULES);
            break;
        }
        const char* s = mods[i].string ? reinterpret_cast<const char*>(mods[i].string) : "";
        while (*s == ' ') ++s;
        const char* word_end = s;
        const char* base = s;
        for (; *word_end && *word_end != ' '; ++word_end)
            if (*word_end == '/') base = word_end + 1;
        const int n = nr_modules;
        int len = 0;
        for (const char* c = base; c < word_end && len < NAME_MAX - 1; ++c) names[n][len++] = *c;
        names[n][len] = '\0';
        const char* rest = word_end;
        while (*rest == ' ') ++rest;
        len = 0;
        for (; *rest && len < ARGS_MAX - 1; ++rest) args[n][len++] = *rest;
        args[n][len] = '\0';
        if (names[n][0] == '\0') {
            kprintf("i386: boot module %u has no name; ignored\n", i);
            continue;
        }
        modules[n] = Module{reinterpret_cast<const std::uint8_t*>(mods[i].mod_start),
                            mods[i].mod_end - mods[i].mod_start, names[n], args[n]};
        ++nr_modules;
    }
}

const Module* module_find(const char* name) {
    for (int i = 0; i < nr_modules; ++i)
        if (str::eq(modules[i].name, name)) return &modules[i];
    return nullptr;
}

int module_count() {
    return nr_modules;
}
const Module* module_at(int i) {
    return i >= 0 && i < nr_modules ? &modules[i] : nullptr;
}

}  // namespace umk::i386
