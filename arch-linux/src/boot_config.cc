// The boot config parser (format: arch-linux/README.md, "Boot config").
#include "umk_linux/boot_config.h"

#include <fstream>
#include <set>
#include <sstream>

#include "umk/com.h"
#include "umk/endpoint.h"
#include "umk/priv.h"

namespace umk::linux_host {

namespace {

// Split a line into words; "double quotes" group (and are removed).
bool split(const std::string& line, std::vector<std::string>* words, std::string* error) {
    std::string cur;
    bool in_word = false, quoted = false;
    for (char c : line) {
        if (c == '"') {
            quoted = !quoted;
            in_word = true;
        } else if (!quoted && (c == ' ' || c == '\t' || c == '\r')) {
            if (in_word) words->push_back(cur);
            cur.clear();
            in_word = false;
        } else if (!quoted && c == '#') {
            break;
        } else {
            cur.push_back(c);
            in_word = true;
        }
    }
    if (quoted) {
        *error = "unterminated quote";
        return false;
    }
    if (in_word) words->push_back(cur);
    return true;
}

// auth=manage,spawn,any_path,log,restart | all | none
bool parse_auth(const std::string& val, std::uint32_t* out) {
    *out = 0;
    std::istringstream in(val);
    for (std::string f; std::getline(in, f, ',');) {
        if (f == "manage")
            *out |= MANAGE_SERVICES;
        else if (f == "spawn")
            *out |= SPAWN_PROGRAMS;
        else if (f == "any_path")
            *out |= SPAWN_PROGRAMS | SPAWN_ANY_PATH;
        else if (f == "log")
            *out |= LOG_READER;
        else if (f == "restart")
            *out |= RESTART_SERVICES;
        else if (f == "all")
            *out |= AUTHORITY_FLAGS;
        else if (f != "none")
            return false;
    }
    return true;
}

bool parse_entry(const std::vector<std::string>& w, BootEntry* e, std::string* error) {
    if (w[0] == "proc")
        e->kind = BootKind::HOST;
    else if (w[0] == "client")
        e->kind = BootKind::CLIENT;
    else if (w[0] == "kernel")
        e->kind = BootKind::IN_KERNEL;
    else {
        *error = "unknown entry '" + w[0] + "' (expected proc, client or kernel)";
        return false;
    }
    if (w.size() < 3) {
        *error = "'" + w[0] + "' needs a slot and a name";
        return false;
    }
    try {
        std::size_t used = 0;
        e->slot = std::stoi(w[1], &used);
        if (used != w[1].size()) throw std::invalid_argument("slot");
    } catch (...) {
        *error = "bad slot number '" + w[1] + "'";
        return false;
    }
    e->name = w[2];
    bool ipc_given = false, auth_given = false;
    for (std::size_t i = 3; i < w.size(); ++i) {
        const std::string& t = w[i];
        auto eq = t.find('=');
        std::string key = t.substr(0, eq), val = eq == std::string::npos ? "" : t.substr(eq + 1);
        if (t == "sys") {
            e->sys = true;
        } else if (t == "user") {
            e->sys = false;
        } else if (key == "program" && eq != std::string::npos && e->kind == BootKind::HOST) {
            e->program = val;
        } else if (key == "type" && eq != std::string::npos && e->kind == BootKind::IN_KERNEL) {
            e->program = val;
        } else if (key == "args" && eq != std::string::npos && e->kind == BootKind::HOST) {
            std::istringstream in(val);
            for (std::string a; in >> a;) e->args.push_back(a);
        } else if (key == "ipc" && (val == "all" || val == "none")) {
            e->ipc_to_all = val == "all";
            ipc_given = true;
        } else if (key == "calls" && (val == "all" || val == "basic")) {
            e->all_calls = val == "all";
        } else if (key == "sigmgr" && !val.empty()) {
            e->sig_mgr = val;
        } else if (key == "auth" && parse_auth(val, &e->auth)) {
            auth_given = true;
        } else {
            *error = "unknown or misplaced option '" + t + "'";
            return false;
        }
    }
    if (!ipc_given) e->ipc_to_all = e->sys;
    // The control socket's proxy is the administrator's path (umk service,
    // umk cat); RS (calls=all) is trusted with everything.
    if (!auth_given && e->all_calls) e->auth = AUTHORITY_FLAGS;
    if (!auth_given && e->kind == BootKind::IN_KERNEL && e->program == "ctlsock")
        e->auth = MANAGE_SERVICES | SPAWN_PROGRAMS | SPAWN_ANY_PATH;
    if (e->program.empty() && e->kind != BootKind::CLIENT) {
        *error =
            e->kind == BootKind::HOST ? "'proc' needs program=PATH" : "'kernel' needs type=TYPE";
        return false;
    }
    return true;
}

}  // namespace

BootEntry& BootConfig::add(BootKind kind, int slot, std::string name, std::string program) {
    BootEntry& e = entries.emplace_back();
    e.kind = kind;
    e.slot = slot;
    e.name = std::move(name);
    e.program = std::move(program);
    e.where = "(code):" + std::to_string(entries.size());
    return e;
}

bool parse_boot_config(const std::string& text, const std::string& file, BootConfig* out,
                       std::string* error) {
    out->file = file;
    std::istringstream in(text);
    std::string line;
    for (int lineno = 1; std::getline(in, line); ++lineno) {
        std::string where = file + ":" + std::to_string(lineno);
        std::vector<std::string> w;
        std::string why;
        BootEntry e;
        if (!split(line, &w, &why) || (!w.empty() && !parse_entry(w, &e, &why))) {
            *error = where + ": " + why;
            return false;
        }
        if (w.empty()) continue;
        e.where = where;
        out->entries.push_back(std::move(e));
    }
    return check_boot_config(*out, error);
}

bool load_boot_config(const std::string& path, BootConfig* out, std::string* error) {
    std::ifstream f(path);
    if (!f) {
        *error = path + ": cannot open the boot config";
        return false;
    }
    std::stringstream s;
    s << f.rdbuf();
    return parse_boot_config(s.str(), path, out, error);
}

bool check_boot_config(const BootConfig& cfg, std::string* error) {
    std::set<int> slots;
    std::set<std::string> names;
    for (const BootEntry& e : cfg.entries) names.insert(e.name);
    std::set<std::string> seen;
    for (const BootEntry& e : cfg.entries) {
        auto fail = [&](const std::string& why) {
            *error = e.where + ": " + why;
            return false;
        };
        if (e.slot < 0 || e.slot >= NR_PROCS)
            return fail("slot " + std::to_string(e.slot) + " out of range 0.." +
                        std::to_string(NR_PROCS - 1));
        if (!slots.insert(e.slot).second)
            return fail("slot " + std::to_string(e.slot) + " used twice");
        if (e.name.empty() || e.name.size() >= static_cast<std::size_t>(PROC_NAME_LEN))
            return fail("name '" + e.name + "' must have 1.." + std::to_string(PROC_NAME_LEN - 1) +
                        " characters");
        const sys_id_t id = static_priv_id(e.slot);
        if (e.sys && (id >= NR_STATIC_PRIV_IDS || id == USER_PRIV_ID))
            return fail("slot " + std::to_string(e.slot) +
                        " cannot start with privileges (sys): boot privileges use static ids, "
                        "which exist for slots 0.." +
                        std::to_string(NR_STATIC_PRIV_IDS - NR_TASKS - 1) + " except " +
                        std::to_string(USER_PRIV_ID - NR_TASKS) +
                        "; give other slots privileges with SYS_PRIVCTL");
        if (!seen.insert(e.name).second) return fail("name '" + e.name + "' used twice");
        if (e.sig_mgr != "SELF" && e.sig_mgr != "NONE" && !names.count(e.sig_mgr))
            return fail("signal manager '" + e.sig_mgr + "' is not a boot entry (or SELF/NONE)");
    }
    if (cfg.entries.empty()) {
        *error = (cfg.file.empty() ? std::string("(code)") : cfg.file) + ": no boot entries";
        return false;
    }
    return true;
}

std::vector<BootProc> boot_procs(const BootConfig& cfg) {
    std::vector<BootProc> out;
    for (const BootEntry& e : cfg.entries) {
        endpoint_t mgr = NONE;
        if (e.sig_mgr == "SELF") mgr = SELF;
        for (const BootEntry& m : cfg.entries)
            if (m.name == e.sig_mgr) mgr = make_endpoint(0, m.slot);
        std::uint32_t traps = (1u << SEND) | (1u << RECEIVE) | (1u << SENDREC) | (1u << NOTIFY) |
                              (1u << SENDNB) | (1u << SENDA);
        BootPriv priv{e.sys ? (SYS_PROC | PREEMPTIBLE | e.auth) : 0u, traps, e.ipc_to_all,
                      e.all_calls, mgr};
        out.push_back(BootProc{e.slot, e.name.c_str(), e.sys, priv});
    }
    return out;
}

}  // namespace umk::linux_host
