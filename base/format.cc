// A freestanding printf subset (see format.h). The kernel's kprintf, which
// uses it, is in kmess.cc.
#include "umk/format.h"

#include <cstdint>

namespace umk {
namespace {

// Appends to a bounded buffer, counting what would have been written.
struct Out {
    char* buf;
    std::size_t size;
    std::size_t len = 0;

    void put(char c) {
        if (size > 0 && len < size - 1) buf[len] = c;
        ++len;
    }
    void pad(char c, int n) {
        for (int i = 0; i < n; ++i) put(c);
    }
};

struct Spec {
    bool left = false;  // '-'
    bool zero = false;  // '0'
    int width = 0;
};

// Emits `body` (already in order) with sign/prefix, honouring width and flags.
void emit_field(Out& out, const Spec& spec, const char* prefix, const char* body, int body_len) {
    int prefix_len = 0;
    while (prefix[prefix_len]) ++prefix_len;
    const int fill = spec.width > prefix_len + body_len ? spec.width - prefix_len - body_len : 0;
    if (!spec.left && !spec.zero) out.pad(' ', fill);
    for (int i = 0; i < prefix_len; ++i) out.put(prefix[i]);
    if (!spec.left && spec.zero) out.pad('0', fill);
    for (int i = 0; i < body_len; ++i) out.put(body[i]);
    if (spec.left) out.pad(' ', fill);
}

void emit_unsigned(Out& out, const Spec& spec, const char* prefix, std::uint64_t v, unsigned base,
                   bool upper) {
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = digits[v % base];
        v /= base;
    } while (v != 0);
    char body[24];
    for (int i = 0; i < n; ++i) body[i] = tmp[n - 1 - i];
    emit_field(out, spec, prefix, body, n);
}

}  // namespace

int vformat(char* buf, std::size_t size, const char* fmt, va_list ap) {
    Out out{buf, size};
    for (const char* f = fmt; *f; ++f) {
        if (*f != '%') {
            out.put(*f);
            continue;
        }
        ++f;
        Spec spec;
        for (;; ++f) {
            if (*f == '-')
                spec.left = true;
            else if (*f == '0')
                spec.zero = true;
            else
                break;
        }
        while (*f >= '0' && *f <= '9') spec.width = spec.width * 10 + (*f++ - '0');
        if (spec.left) spec.zero = false;

        int longs = 0;  // 0: int, 1: long, 2: long long
        bool size_t_arg = false;
        if (*f == 'z') {
            size_t_arg = true;
            ++f;
        } else {
            while (*f == 'l' && longs < 2) {
                ++longs;
                ++f;
            }
        }

        switch (*f) {
            case 'd':
            case 'i': {
                std::int64_t v;
                if (size_t_arg)
                    v = static_cast<std::int64_t>(va_arg(ap, std::size_t));
                else if (longs == 2)
                    v = va_arg(ap, long long);
                else if (longs == 1)
                    v = va_arg(ap, long);
                else
                    v = va_arg(ap, int);
                // Negate in unsigned arithmetic so INT64_MIN does not overflow.
                const std::uint64_t mag =
                    v < 0 ? ~static_cast<std::uint64_t>(v) + 1 : static_cast<std::uint64_t>(v);
                emit_unsigned(out, spec, v < 0 ? "-" : "", mag, 10, false);
                break;
            }
            case 'u':
            case 'x':
            case 'X': {
                std::uint64_t v;
                if (size_t_arg)
                    v = va_arg(ap, std::size_t);
                else if (longs == 2)
                    v = va_arg(ap, unsigned long long);
                else if (longs == 1)
                    v = va_arg(ap, unsigned long);
                else
                    v = va_arg(ap, unsigned);
                emit_unsigned(out, spec, "", v, *f == 'u' ? 10 : 16, *f == 'X');
                break;
            }
            case 'p': {
                const auto v = reinterpret_cast<std::uintptr_t>(va_arg(ap, void*));
                emit_unsigned(out, spec, "0x", v, 16, false);
                break;
            }
            case 'c': {
                const char c = static_cast<char>(va_arg(ap, int));
                emit_field(out, spec, "", &c, 1);
                break;
            }
            case 's': {
                const char* s = va_arg(ap, const char*);
                if (!s) s = "(null)";
                int n = 0;
                while (s[n]) ++n;
                emit_field(out, spec, "", s, n);
                break;
            }
            case '%':
                out.put('%');
                break;
            case '\0':
                // A lone '%' at the end: print it and stop.
                out.put('%');
                --f;
                break;
            default:
                // Unknown conversion: show it as written rather than guess.
                out.put('%');
                out.put(*f);
                break;
        }
    }
    if (size > 0) buf[out.len < size ? out.len : size - 1] = '\0';
    return static_cast<int>(out.len);
}

int format(char* buf, std::size_t size, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    const int n = vformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

}  // namespace umk
