// Kernel-call wrappers (MINIX libsys). Each returns OK or a negative MINIX error.
#pragma once

#include "umk/com.h"
#include "umk/err.h"
#include "umk/priv_args.h"
#include "umk/types.h"

namespace umk {

// The raw kernel-call trap: request in *m (m_type = call), reply in *m.
int kernel_call(int call, message* m);

int sys_exit();  // does not return on success
int sys_clear(endpoint_t ep);
int sys_kill(endpoint_t ep, int sig);
int sys_getksig(endpoint_t* ep, sigset_t_* map);  // *ep == NONE: nothing pending
int sys_endksig(endpoint_t ep);
int sys_update(endpoint_t src, endpoint_t dst, int flags = 0);
int sys_runctl(endpoint_t ep, int action, int flags = 0);
int sys_stop(endpoint_t ep);
int sys_resume(endpoint_t ep);
int sys_setalarm(clock_t_ ticks, bool absolute, clock_t_* left = nullptr);
int sys_times(endpoint_t ep, clock_t_* user_time, clock_t_* uptime);
int sys_uptime(clock_t_* ticks);
int sys_hz();  // ticks per second
int sys_whoami(endpoint_t* ep, char* name, std::size_t len, std::uint32_t* priv_flags);
int sys_getinfo(int request, void* buf, std::size_t len, endpoint_t ep = SELF);
int sys_diagctl_diag(const char* buf, std::size_t len);
// The kernel log reader's calls (TTY): SIGKMESS on new log text; take up to
// `len` bytes from the first unshown one (*got, 0 if none; *left: unshown
// after them), write them out, then confirm what was written with
// sys_diagctl_shown (until then the bytes are only lent: taken again by the
// next take, or by a restarted reader).
int sys_diagctl_register();
int sys_diagctl_unregister();
int sys_diagctl_take(char* buf, std::size_t len, std::size_t* got, std::size_t* left = nullptr);
int sys_diagctl_shown(std::size_t len);
// I/O ports in the caller's io ranges (SYS_VDEVIO): n = 1..VDEVIO_BUF_SIZE pairs.
int sys_voutb(const pvb_pair* pairs, std::size_t n);
int sys_vinb(pvb_pair* pairs, std::size_t n);
int sys_spawn(const char* program, const char* args, std::size_t args_len, endpoint_t* ep);

// Privileges (SYS_PRIVCTL); `arg` is a priv_args for SET_SYS (see umk/priv_args.h).
int sys_privctl(endpoint_t ep, int request, void* arg = nullptr);

// Memory grants. The library keeps the caller's grant table and registers
// it with SYS_SETGRANT on first use.
cp_grant_id_t cpf_grant_direct(endpoint_t to, vir_bytes addr, std::size_t bytes,
                               std::uint32_t access);
cp_grant_id_t cpf_grant_indirect(endpoint_t to, endpoint_t from, cp_grant_id_t gid);
// A magic grant: `to` may copy `who_from`'s memory [addr, addr+bytes). The
// kernel honours it only in the table of VFS_PROC_NR's slot (devman).
cp_grant_id_t cpf_grant_magic(endpoint_t to, endpoint_t who_from, vir_bytes addr, std::size_t bytes,
                              std::uint32_t access);
int cpf_revoke(cp_grant_id_t gid);
int sys_safecopyfrom(endpoint_t granter, cp_grant_id_t gid, vir_bytes offset, vir_bytes addr,
                     std::size_t bytes);
int sys_safecopyto(endpoint_t granter, cp_grant_id_t gid, vir_bytes offset, vir_bytes addr,
                   std::size_t bytes);

}  // namespace umk
