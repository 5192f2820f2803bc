// A fake Host for RS's policy: records every call as a line of text and
// hands out endpoints; time only moves when the test says so.
#pragma once

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "host.h"
#include "umk/com.h"
#include "umk/err.h"
#include "umk/priv_flags.h"

namespace umk::rs::testing {

struct FakeHost final : Host {
    std::vector<std::string> events;
    std::vector<std::string> logs;
    clock_t_ ticks = 1000;
    endpoint_t next_ep = 100;
    std::map<endpoint_t, bool> alive;
    std::map<std::string, endpoint_t> labels;
    int spawn_error = OK;
    int vm_update_error = OK;
    int vm_update_fail_after = -1;  // fail the n-th vm_update (0-based), -1 never
    int vm_updates = 0;
    // Whether spawned processes count as started at once (the kernel's
    // MF_STARTED); with false, the test marks them in `started_eps`.
    bool start_at_spawn = true;
    std::map<endpoint_t, bool> started_eps;
    // The predecessor (endpoint, state grant) of each RS_INIT sent.
    std::map<endpoint_t, std::pair<endpoint_t, int>> init_prev;
    // RS's own update. The old instance's grant of its state block (id 7);
    // a new instance's copies go to `peer`'s grant (the old instance's host).
    void* granted = nullptr;
    std::size_t granted_len = 0;
    FakeHost* peer = nullptr;
    std::map<endpoint_t, bool> not_receiving;  // default: receiving
    // Runs inside vm_update (after the event): what happens meanwhile in
    // the other instance; its result is vm_update's.
    std::function<int(endpoint_t, endpoint_t, bool)> vm_hook;

    void ev(const char* fmt, ...) __attribute__((format(printf, 2, 3))) {
        char buf[200];
        va_list ap;
        va_start(ap, fmt);
        std::vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        events.emplace_back(buf);
    }
    bool saw(const std::string& e) const {
        for (const auto& x : events)
            if (x == e) return true;
        return false;
    }
    int count_prefix(const std::string& p) const {
        int n = 0;
        for (const auto& x : events) n += x.rfind(p, 0) == 0;
        return n;
    }
    std::string last() const { return events.empty() ? "" : events.back(); }
    void clear_events() { events.clear(); }

    int spawn(const char* program, const char*, std::size_t, endpoint_t* ep) override {
        if (spawn_error != OK) return spawn_error;
        *ep = next_ep++;
        alive[*ep] = true;
        started_eps[*ep] = start_at_spawn;
        ev("spawn %s %d", program, *ep);
        return OK;
    }
    std::map<endpoint_t, priv_args> privs;  // what set_priv gave each endpoint
    int set_priv(endpoint_t ep, const priv_args& pa) override {
        privs[ep] = pa;
        ev("set_priv %d", ep);
        return OK;
    }
    int allow(endpoint_t ep) override {
        ev("allow %d", ep);
        return OK;
    }
    int kill(endpoint_t ep, int sig) override {
        ev("kill %d %d", ep, sig);
        return OK;
    }
    int clear(endpoint_t ep) override {
        ev("clear %d", ep);
        alive.erase(ep);
        return OK;
    }
    int vm_update(endpoint_t src, endpoint_t dst, bool rollback) override {
        ev("vm_update %d %d%s", src, dst, rollback ? " rollback" : "");
        if (vm_update_fail_after == vm_updates++) return -EBUSY;
        if (vm_hook) return vm_hook(src, dst, rollback);
        return vm_update_error;
    }
    int update_error = OK;       // of the direct sys_update (restart policy)
    int update_fail_after = -1;  // fail the n-th update (0-based), -1 never
    int updates = 0;
    int update(endpoint_t src, endpoint_t dst, int flags) override {
        ev("update %d %d%s%s", src, dst, (flags & SYS_UPD_RESTART) ? " restart" : "",
           (flags & SYS_UPD_ROLLBACK) ? " rollback" : "");
        if (update_fail_after == updates++) return -EBUSY;
        return update_error;
    }
    int priv_id(endpoint_t ep) override { return ep % 50; }
    bool started(endpoint_t ep) override {
        auto it = started_eps.find(ep);
        return it != started_eps.end() && it->second;
    }
    int send_init(endpoint_t ep, int type, int restarts, endpoint_t old_ep, int debug,
                  endpoint_t prev_ep, int prev_grant) override {
        init_prev[ep] = {prev_ep, prev_grant};
        ev("init %d type=%d restarts=%d old=%d debug=%d", ep, type, restarts, old_ep, debug);
        return OK;
    }
    int send_lu_prepare(endpoint_t ep, int state, int maxtime) override {
        ev("lu_prepare %d state=%d max=%d", ep, state, maxtime);
        return OK;
    }
    int send_signal(endpoint_t ep, int sig) override {
        ev("signal %d %d", ep, sig);
        return OK;
    }
    int ping(endpoint_t ep) override {
        ev("ping %d", ep);
        return OK;
    }
    int send_fi(endpoint_t ep) override {
        ev("fi %d", ep);
        return OK;
    }
    int reply(endpoint_t to, int result, endpoint_t ep_field) override {
        ev("reply %d r=%d ep=%d", to, result, ep_field);
        return OK;
    }
    int grant(endpoint_t to, void* addr, std::size_t len) override {
        granted = addr;
        granted_len = len;
        ev("grant %d", to);
        return 7;
    }
    void revoke(int g) override { ev("revoke %d", g); }
    int copy_from(endpoint_t granter, int g, std::size_t off, void* buf, std::size_t len) override {
        ev("copy_from %d %d", granter, g);
        if (!peer || !peer->granted || g != 7 || off + len > peer->granted_len) return -EPERM;
        std::memcpy(buf, static_cast<char*>(peer->granted) + off, len);
        return OK;
    }
    int copy_to(endpoint_t granter, int g, std::size_t off, const void* buf,
                std::size_t len) override {
        ev("copy_to %d %d", granter, g);
        if (!peer || !peer->granted || g != 7 || off + len > peer->granted_len) return -EPERM;
        std::memcpy(static_cast<char*>(peer->granted) + off, buf, len);
        return OK;
    }
    int send_init_self(endpoint_t ep, int debug, int g, std::size_t) override {
        ev("init_self %d debug=%d grant=%d", ep, debug, g);
        return OK;
    }
    bool receiving(endpoint_t ep) override {
        auto it = not_receiving.find(ep);
        return it == not_receiving.end() || !it->second;
    }
    // Recovery scripts: spawned user processes, alive until the test says.
    int spawn_user_error = OK;
    std::map<endpoint_t, bool> users;      // endpoint -> alive
    std::vector<std::string> script_args;  // the last block, split
    int spawn_user(const char* block, std::size_t len, endpoint_t* ep) override {
        if (spawn_user_error != OK) return spawn_user_error;
        script_args.clear();
        std::string all;
        for (std::size_t i = 0; i < len; i += std::strlen(block + i) + 1) {
            script_args.emplace_back(block + i);
            all += (all.empty() ? "" : " ") + script_args.back();
        }
        *ep = next_ep++;
        users[*ep] = true;
        ev("script %s -> %d", all.c_str(), *ep);
        return OK;
    }
    bool running(endpoint_t ep) override {
        auto it = users.find(ep);
        return it != users.end() && it->second;
    }
    int reap(endpoint_t ep) override {
        ev("reap %d", ep);
        users.erase(ep);
        return OK;
    }
    std::map<endpoint_t, bool> user_eps;  // other user processes (callers)
    bool is_user(endpoint_t ep) override { return users.count(ep) || user_eps.count(ep); }
    // Authority flags of callers (umk/priv_flags.h); one not listed has
    // MANAGE_SERVICES (the control proxy the tests play), so tests of other
    // requests need not set it up.
    std::map<endpoint_t, std::uint32_t> authority_of;
    std::uint32_t authority(endpoint_t ep) override {
        auto it = authority_of.find(ep);
        return it != authority_of.end() ? it->second : umk::MANAGE_SERVICES;
    }
    int publish_label(const char* label, endpoint_t ep) override {
        labels[label] = ep;
        ev("publish %s %d", label, ep);
        return OK;
    }
    int delete_label(const char* label) override {
        labels.erase(label);
        ev("unpublish %s", label);
        return OK;
    }
    clock_t_ now() override { return ticks; }
    void vlog(const char* fmt, va_list ap) override {
        char buf[300];
        std::vsnprintf(buf, sizeof buf, fmt, ap);
        logs.emplace_back(buf);
    }
};

}  // namespace umk::rs::testing
