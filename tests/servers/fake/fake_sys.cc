#include "fake_sys.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <set>

#include "umk/com.h"
#include "umk/err.h"
#include "umk/priv_flags.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/sef.h"
#include "umklib/syslib.h"

namespace fake {
namespace {

struct Grant {
    endpoint_t granter, grantee;
    umk::vir_bytes addr;
    std::size_t len;
    std::uint32_t access;
    bool in_use;
    bool magic;  // only VFS_PROC_NR's magic grants count (as in the kernel)
};

endpoint_t current = 0;
std::map<endpoint_t, Handler> handlers;
std::vector<Notified> notify_log;
std::vector<Sent> send_log;
std::string log_text;
std::map<endpoint_t, std::uint32_t> flags_of;
std::vector<Grant> grants;
std::vector<std::string> kcall_log;
std::vector<std::pair<endpoint_t, umk::sigset_t_>> ksig_queue;
std::set<endpoint_t> dead;
bool async_on = false;
struct Queued {
    endpoint_t from, to;
    message m;
};
std::deque<Queued> queue;
// The callers blocked in SENDREC (innermost last) and where their reply goes.
struct Waiter {
    endpoint_t who;
    message* reply;
    bool done;
};
std::vector<Waiter> waiters;

// A send to a waiter is its reply: true if `m` was taken as one.
bool take_as_reply(endpoint_t from, endpoint_t to, const message& m) {
    for (Waiter& w : waiters) {
        if (w.who != to || w.done) continue;
        *w.reply = m;
        w.reply->m_source = from;
        w.done = true;
        return true;
    }
    return false;
}

void post(endpoint_t from, endpoint_t to, const message& m) {
    if (take_as_reply(from, to, m)) return;
    if (handlers.count(to)) queue.push_back({from, to, m});
}

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
    char buf[256];
    va_list ap;
    va_start(ap, f);
    std::vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

int check_grant(endpoint_t granter, umk::cp_grant_id_t gid, umk::vir_bytes off, std::size_t bytes,
                std::uint32_t access, Grant** out) {
    if (gid < 0 || static_cast<std::size_t>(gid) >= grants.size()) return -EINVAL;
    Grant& g = grants[gid];
    if (!g.in_use || g.granter != granter) return -EPERM;
    if (g.magic && granter != umk::VFS_PROC_NR) return -EPERM;
    if (g.grantee != current && g.grantee != umk::ANY) return -EPERM;
    if ((g.access & access) != access) return -EPERM;
    if (off > g.len || bytes > g.len - off) return -EPERM;
    *out = &g;
    return umk::OK;
}

}  // namespace

std::function<int(endpoint_t, endpoint_t, int)> on_sys_update;
std::function<int(endpoint_t, int)> on_sys_kill;
std::function<int(endpoint_t)> on_sys_clear;
std::function<int(endpoint_t, int)> on_sys_privctl;
std::function<int(const char*, endpoint_t*)> on_sys_spawn;
std::function<int(endpoint_t, endpoint_t, message&)> on_sendrec;

void reset() {
    current = 0;
    handlers.clear();
    notify_log.clear();
    send_log.clear();
    log_text.clear();
    grants.clear();
    kcall_log.clear();
    ksig_queue.clear();
    on_sys_update = nullptr;
    on_sys_kill = nullptr;
    on_sys_clear = nullptr;
    on_sys_privctl = nullptr;
    on_sys_spawn = nullptr;
    on_sendrec = nullptr;
    flags_of.clear();
    dead.clear();
    async_on = false;
    queue.clear();
    waiters.clear();
    uptime = 0;
    alarm = 0;
}
void deliver_async(bool on) {
    async_on = on;
}
std::size_t queued() {
    return queue.size();
}
void mark_gone(endpoint_t ep) {
    dead.insert(ep);
}
void run_queue() {
    while (!queue.empty()) {
        Queued q = queue.front();
        queue.pop_front();
        auto it = handlers.find(q.to);
        if (it == handlers.end()) continue;  // died meanwhile
        endpoint_t caller = current;
        current = q.to;
        message m = q.m;
        m.m_source = q.from;
        int r = it->second(m);
        current = caller;
        if (r == -EDONTREPLY) continue;
        m.m_type = r;
        post(q.to, q.from, m);
    }
}
std::map<endpoint_t, std::uint32_t>& priv_flags() {
    return flags_of;
}
void set_self(endpoint_t ep) {
    current = ep;
}
endpoint_t self() {
    return current;
}
void route(endpoint_t ep, Handler h) {
    if (h) {
        handlers[ep] = std::move(h);
        dead.erase(ep);
    } else {
        handlers.erase(ep);  // the process is gone: EDEADSRCDST
        dead.insert(ep);
    }
}
umk::clock_t_ uptime = 0;
umk::clock_t_ alarm = 0;
std::vector<Notified>& notifies() {
    return notify_log;
}
std::vector<Sent>& sent() {
    return send_log;
}
std::string& log() {
    return log_text;
}
std::vector<std::string>& kcalls() {
    return kcall_log;
}
std::vector<std::pair<endpoint_t, umk::sigset_t_>>& ksigs() {
    return ksig_queue;
}
int grants_in_use() {
    int n = 0;
    for (auto& g : grants) n += g.in_use;
    return n;
}

}  // namespace fake

namespace umk {

using fake::current;

int ipc_sendrec(endpoint_t dst, message* m) {
    if (fake::on_sendrec) {
        if (int r = fake::on_sendrec(current, dst, *m); r != OK) return r;
    }
    auto it = fake::handlers.find(dst);
    if (it == fake::handlers.end()) return -EDEADSRCDST;
    endpoint_t caller = current;
    message req = *m;
    req.m_source = caller;
    current = dst;
    int r = it->second(req);
    current = caller;
    if (r == -EDONTREPLY) {
        if (!fake::async_on) return -ELOCKED;  // the fake cannot block
        // Let the system run: the answer may come from what is queued.
        message reply{};
        fake::waiters.push_back({caller, &reply, false});
        fake::run_queue();
        bool done = fake::waiters.back().done;
        fake::waiters.pop_back();
        if (!done) return -ELOCKED;
        *m = reply;
        return OK;
    }
    if (fake::async_on && fake::waiters.empty()) fake::run_queue();
    req.m_type = r;
    req.m_source = dst;
    *m = req;
    return OK;
}
int ipc_send(endpoint_t dst, message* m) {
    fake::send_log.push_back({current, dst, *m, false});
    if (fake::async_on) {
        if (fake::dead.count(dst)) return -EDEADSRCDST;
        fake::post(current, dst, *m);
    }
    return OK;
}
int ipc_sendnb(endpoint_t dst, message* m) {
    return ipc_send(dst, m);
}
int ipc_receive(endpoint_t, message*) {
    return -ELOCKED;
}
int ipc_notify(endpoint_t dst) {
    fake::notify_log.push_back({current, dst});
    return OK;
}
int asynsend3(endpoint_t dst, const message* m, unsigned) {
    fake::send_log.push_back({current, dst, *m, true});
    if (fake::async_on && !fake::dead.count(dst)) fake::post(current, dst, *m);
    return OK;
}
endpoint_t self_endpoint() {
    return current;
}

cp_grant_id_t cpf_grant_direct(endpoint_t to, vir_bytes addr, std::size_t bytes,
                               std::uint32_t access) {
    fake::grants.push_back({current, to, addr, bytes, access, true, false});
    return static_cast<cp_grant_id_t>(fake::grants.size() - 1);
}
// One address space: the owner's memory is this process's, so a magic grant
// is a direct one that only slot 1 may use.
cp_grant_id_t cpf_grant_magic(endpoint_t to, endpoint_t, vir_bytes addr, std::size_t bytes,
                              std::uint32_t access) {
    fake::grants.push_back({current, to, addr, bytes, access, true, true});
    return static_cast<cp_grant_id_t>(fake::grants.size() - 1);
}
cp_grant_id_t cpf_grant_indirect(endpoint_t, endpoint_t, cp_grant_id_t) {
    return GRANT_INVALID;
}
int cpf_revoke(cp_grant_id_t gid) {
    if (gid < 0 || static_cast<std::size_t>(gid) >= fake::grants.size()) return -EINVAL;
    fake::grants[gid].in_use = false;
    return OK;
}
int sys_safecopyfrom(endpoint_t granter, cp_grant_id_t gid, vir_bytes offset, vir_bytes addr,
                     std::size_t bytes) {
    fake::Grant* g;
    int r = fake::check_grant(granter, gid, offset, bytes, CPF_READ, &g);
    if (r != OK) return r;
    std::memcpy(reinterpret_cast<void*>(addr), reinterpret_cast<void*>(g->addr + offset), bytes);
    return OK;
}
int sys_safecopyto(endpoint_t granter, cp_grant_id_t gid, vir_bytes offset, vir_bytes addr,
                   std::size_t bytes) {
    fake::Grant* g;
    int r = fake::check_grant(granter, gid, offset, bytes, CPF_WRITE, &g);
    if (r != OK) return r;
    std::memcpy(reinterpret_cast<void*>(g->addr + offset), reinterpret_cast<void*>(addr), bytes);
    return OK;
}

int log_vprintf(const char* f, va_list ap) {
    char buf[1024];
    int n = std::vsnprintf(buf, sizeof buf, f, ap);
    fake::log_text += buf;
    return n;
}
int log_printf(const char* f, ...) {
    va_list ap;
    va_start(ap, f);
    int n = log_vprintf(f, ap);
    va_end(ap);
    return n;
}

int sys_update(endpoint_t src, endpoint_t dst, int flags) {
    fake::kcall_log.push_back(fake::fmt("sys_update %d %d %d", src, dst, flags));
    return fake::on_sys_update ? fake::on_sys_update(src, dst, flags) : OK;
}
int sys_kill(endpoint_t ep, int sig) {
    fake::kcall_log.push_back(fake::fmt("sys_kill %d %d", ep, sig));
    return fake::on_sys_kill ? fake::on_sys_kill(ep, sig) : OK;
}
int sys_clear(endpoint_t ep) {
    fake::kcall_log.push_back(fake::fmt("sys_clear %d", ep));
    return fake::on_sys_clear ? fake::on_sys_clear(ep) : OK;
}
int sys_privctl(endpoint_t ep, int request, void*) {
    fake::kcall_log.push_back(fake::fmt("sys_privctl %d %d", ep, request));
    return fake::on_sys_privctl ? fake::on_sys_privctl(ep, request) : OK;
}
int sys_spawn(const char* program, const char* args, std::size_t args_len, endpoint_t* ep) {
    // "sys_spawn PROGRAM", then " args=" and the block with '|' for each NUL.
    std::string text = fake::fmt("sys_spawn %s", program);
    if (args_len > 0) {
        text += " args=";
        for (std::size_t i = 0; i < args_len; i++) text += args[i] ? args[i] : '|';
    }
    fake::kcall_log.push_back(text);
    if (fake::on_sys_spawn) return fake::on_sys_spawn(program, ep);
    return -ENOENT;
}
int sys_uptime(clock_t_* ticks) {
    *ticks = fake::uptime;
    return OK;
}
int sys_hz() {
    return 60;
}
int sys_setalarm(clock_t_ ticks, bool absolute, clock_t_* left) {
    fake::kcall_log.push_back(
        fake::fmt("sys_setalarm %llu %d", static_cast<unsigned long long>(ticks), absolute));
    if (left) *left = 0;
    fake::alarm = ticks == 0 ? 0 : absolute ? ticks : fake::uptime + ticks;
    return OK;
}
int sys_getinfo(int request, void* buf, std::size_t len, endpoint_t ep) {
    if (request != GET_PROCINFO || len < sizeof(proc_info)) return -EINVAL;
    if (ep == SELF) ep = fake::self();
    if (fake::dead.count(ep)) return -EINVAL;
    proc_info pi{};
    pi.endpoint = ep;
    auto it = fake::flags_of.find(ep);
    pi.priv_flags = it != fake::flags_of.end() ? it->second : SYS_PROC | AUTHORITY_FLAGS;
    std::memcpy(buf, &pi, sizeof pi);
    return OK;
}
int sys_getksig(endpoint_t* ep, sigset_t_* map) {
    if (fake::ksig_queue.empty()) {
        *ep = NONE;
        *map = 0;
        return OK;
    }
    *ep = fake::ksig_queue.front().first;
    *map = fake::ksig_queue.front().second;
    fake::ksig_queue.erase(fake::ksig_queue.begin());
    return OK;
}
int sys_endksig(endpoint_t ep) {
    fake::kcall_log.push_back(fake::fmt("sys_endksig %d", ep));
    return OK;
}

}  // namespace umk
