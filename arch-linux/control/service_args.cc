// `umk service` argument parsing (MINIX commands/service, newest syntax).
#include "service_args.h"

#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "umk/config.h"
#include "umk/err.h"
#include "umklib/rs_proto.h"
#include "umklib/system_conf.h"

namespace umk::control {
namespace {

struct Verb {
    const char* name;
    int rs_type;
    bool takes_binary;  // up, run, update
};
constexpr Verb kVerbs[] = {
    {"up", RS_UP, true},
    {"run", RS_RUN, true},
    {"update", RS_UPDATE, true},
    {"down", RS_DOWN, false},
    {"refresh", RS_REFRESH, false},
    {"restart", RS_RESTART, false},
    {"lookup", RS_LOOKUP, false},
    {"shutdown", RS_SHUTDOWN, false},
    {"list", RS_LIST, false},
    {"fi", RS_FI, false},  // MINIX 3.4: the service crashes itself on purpose
};

std::string base_name(const std::string& p) {
    auto s = p.rfind('/');
    return s == std::string::npos ? p : p.substr(s + 1);
}

bool copy_label(char* dst, const std::string& s, std::string* error) {
    if (s.empty() || s.size() >= PROC_NAME_LEN) {
        *error =
            "label '" + s + "' must have 1 to " + std::to_string(PROC_NAME_LEN - 1) + " characters";
        return false;
    }
    std::memcpy(dst, s.c_str(), s.size() + 1);
    return true;
}

}  // namespace

int parse_service_args(int argc, const char* const* argv, ServiceCommand* out, std::string* error) {
    *out = ServiceCommand{};
    CtlRequest& rq = out->request;
    rq.magic = CTL_MAGIC;
    rq.op = CTL_RS;
    rs::rs_start& st = rq.start;
    st.period = -1;

    int i = 1;
    // Global options before the verb. MINIX's -c/-r/-n/-b... have no
    // meaning on umk and are accepted silently.
    for (; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--sock") {
            if (i + 1 >= argc) {
                *error = "--sock needs a path";
                return EINVAL;
            }
            out->sock = argv[++i];
        } else if (a.size() == 2 && a[0] == '-' && std::strchr("crnbpqa", a[1])) {
            continue;
        } else {
            break;
        }
    }
    if (i >= argc) {
        *error =
            "missing verb (up, run, update, down, refresh, restart, fi, lookup, list, shutdown)";
        return EINVAL;
    }
    out->verb = argv[i++];
    const Verb* verb = nullptr;
    for (const Verb& v : kVerbs)
        if (out->verb == v.name) verb = &v;
    if (!verb) {
        *error = "unknown verb '" + out->verb + "'";
        return ENOSYS;
    }
    rq.rs_type = verb->rs_type;

    if (verb->rs_type == RS_SHUTDOWN || verb->rs_type == RS_LIST) {
        if (i < argc) {
            *error = "'" + out->verb + "' takes no arguments";
            return EINVAL;
        }
        return 0;
    }
    if (!verb->takes_binary) {
        if (i >= argc) {
            *error = "'" + out->verb + "' needs a label";
            return EINVAL;
        }
        if (!copy_label(rq.label, argv[i++], error)) return EINVAL;
        if (i < argc) {
            *error = std::string("unexpected argument '") + argv[i] + "'";
            return EINVAL;
        }
        return 0;
    }

    if (i >= argc) {
        *error =
            "'" + out->verb + "' needs a binary" + (verb->rs_type == RS_UPDATE ? " (or self)" : "");
        return EINVAL;
    }
    std::string binary = argv[i++];
    bool self = verb->rs_type == RS_UPDATE && binary == "self";
    if (self) {
        st.flags |= rs::RSS_SELF;
    } else {
        if (binary.find('/') != std::string::npos) {
            // The kernel does not share our working directory.
            char real[PATH_MAX];
            if (!realpath(binary.c_str(), real)) {
                *error = "binary '" + binary + "' not found";
                return ENOENT;
            }
            binary = real;
        }
        if (binary.size() >= sizeof st.program) {
            *error = "binary path too long";
            return EINVAL;
        }
        std::memcpy(st.program, binary.c_str(), binary.size() + 1);
    }
    std::string label, config, args;
    bool have_state = false;
    for (; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&](std::string* v) {
            if (i + 1 >= argc) {
                *error = "option " + a + " needs a value";
                return false;
            }
            *v = argv[++i];
            return true;
        };
        std::string v;
        if (a == "-label") {
            if (!value(&label)) return EINVAL;
        } else if (a == "-args") {
            if (!value(&args)) return EINVAL;
        } else if (a == "-config") {
            if (!value(&config)) return EINVAL;
        } else if (a == "-script") {
            // A user program PM spawns (commands/recover) when the service fails.
            if (!value(&v)) return EINVAL;
            if (v.find('/') != std::string::npos) {
                char real[PATH_MAX];
                if (!realpath(v.c_str(), real)) {
                    *error = "script '" + v + "' not found";
                    return ENOENT;
                }
                v = real;
            }
            if (v.empty() || v.size() >= sizeof st.script) {
                *error = "script name empty or too long";
                return EINVAL;
            }
            std::memcpy(st.script, v.c_str(), v.size() + 1);
        } else if (a == "-policy") {
            // What RS does when the service dies (MINIX 3.4 restart policies).
            if (!value(&v)) return EINVAL;
            if (verb->rs_type == RS_UPDATE) {
                *error = "-policy is only for up and run";
                return EINVAL;
            }
            if (v == "restart")
                st.policy = conf::POLICY_RESTART;
            else if (v == "reset")
                st.policy = conf::POLICY_RESET;
            else {
                *error = "bad policy '" + v + "' (restart or reset)";
                return EINVAL;
            }
        } else if (a == "-dev") {
            if (!value(&v)) return EINVAL;
        } else if (a == "-period" || a == "-maxtime") {
            if (!value(&v)) return EINVAL;
            long t = conf::parse_ticks(v.c_str(), HZ);
            if (t < 0 || t > INT_MAX) {
                *error = "bad value '" + v + "' for " + a + " (ticks, or seconds as NHZ)";
                return EINVAL;
            }
            if (a == "-period")
                st.period = static_cast<int>(t);
            else if (verb->rs_type == RS_UPDATE)
                st.maxtime = static_cast<int>(t);
            else {
                *error = "-maxtime is only for update";
                return EINVAL;
            }
        } else if (a == "-state") {
            if (!value(&v)) return EINVAL;
            char* end = nullptr;
            long s = std::strtol(v.c_str(), &end, 10);
            if (verb->rs_type != RS_UPDATE || end == v.c_str() || *end || s < 0 || s > INT_MAX) {
                *error = verb->rs_type != RS_UPDATE ? "-state is only for update"
                                                    : "bad state '" + v + "'";
                return EINVAL;
            }
            st.state = static_cast<int>(s);
            have_state = true;
        } else if ((a == "-x" || a == "-y" || a == "-z") && verb->rs_type == RS_UPDATE) {
            st.debug = a == "-x"   ? rs::RS_DEBUG_INIT_CRASH
                       : a == "-y" ? rs::RS_DEBUG_INIT_FAIL
                                   : rs::RS_DEBUG_INIT_TIMEOUT;
        } else {
            *error = "unknown option '" + a + "'";
            return EINVAL;
        }
    }
    if (verb->rs_type == RS_UPDATE) {
        if (label.empty()) {
            if (self) {
                *error = "update self needs -label";
                return EINVAL;
            }
            label = base_name(binary);
        }
        if (!have_state) st.state = 1;  // newest MINIX's default: work-free
    }
    if (!label.empty() && !copy_label(st.label, label, error)) return EINVAL;

    if (!args.empty()) {
        std::istringstream in(args);
        std::string block;
        for (std::string w; in >> w;) block += w + '\0';
        if (block.size() > sizeof st.args) {
            *error = "-args too long";
            return E2BIG;
        }
        std::memcpy(st.args, block.data(), block.size());
        st.args_len = static_cast<std::uint32_t>(block.size());
    }

    if (!config.empty()) {
        std::ifstream f(config);
        if (!f) {
            *error = "cannot read config file '" + config + "'";
            return 1;
        }
        std::stringstream text;
        text << f.rdbuf();
        std::string s = text.str();
        static conf::Config cfg;  // large: not on the stack
        conf::Error err;
        if (conf::parse(s.data(), s.size(), config.c_str(), &cfg, &err) != OK) {
            char msg[256];
            conf::format_error(err, msg, sizeof msg);
            *error = msg;
            return 1;
        }
        std::string key = label.empty() ? base_name(binary) : label;
        const conf::ServiceConf* c = conf::find(cfg, key.c_str());
        if (!c && !self) c = conf::find(cfg, base_name(binary).c_str());
        if (!c) {
            *error = config + ": no entry for service '" + key + "'";
            return 1;
        }
        st.conf = *c;
        st.flags |= rs::RSS_HAS_CONF;
    }
    return 0;
}

std::string describe_failure(const std::string& verb, int err) {
    int e = err < 0 ? -err : err;
    std::string why;
    switch (e) {
        case ERESTART:
            why = verb == "update" ? "new version failed to initialize, rolled back"
                                   : "the service restarted while the request was pending";
            break;
        case EINTR:
            why = verb == "update"
                      ? "the update did not complete in time (state not reached, or the new "
                        "version did not initialize); cancelled, the old version goes on"
                      : "interrupted";
            break;
        case EBUSY:
            why = verb == "update" ? "another update is in progress, or the service is busy"
                                   : "the service is busy (starting, stopping or updating), or the "
                                     "label is in use";
            break;
        case ESRCH:
            why = "no such service";
            break;
        case EPERM:
            why =
                "not permitted (core services cannot be stopped; RS cannot be taken down, "
                "refreshed or restarted)";
            break;
        case ENOENT:
            why = "no such binary";
            break;
        case ENOSYS:
            why = verb == "update"
                      ? "the service does not support live update, or the new version's init "
                        "failed (rolled back)"
                      : "not supported";
            break;
        case EINVAL:
            why = "invalid request (state 0? maxtime above 1200?)";
            break;
        case ENOMEM:
            why = "RS's service table is full";
            break;
        case EDEADSRCDST:
            why = "the service died during initialization";
            break;
        default:
            why = "request failed";
            break;
    }
    return verb + " failed: " + errno_name(e) + " (" + std::to_string(e) + "): " + why;
}

}  // namespace umk::control
