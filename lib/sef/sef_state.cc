// SEF state transfer (umklib/sef_state.h): a service's checkpoint area, its
// grant to the service's own endpoint, and the copy of a predecessor's
// newest valid checkpoint at init.
//
// Layout of the area: two copies, each a sef_state_copy_hdr followed by
// `slot` bytes of data. A checkpoint writes the copy with the lower sequence
// number: data first, then the header with its magic published last, so a
// reader that sees the magic and a matching CRC sees a complete copy.
#include "umklib/sef_state.h"
#include "../lib_internal.h"
#include "sef_internal.h"
#include "umklib/ipc.h"
#include "umklib/log.h"
#include "umklib/syslib.h"

namespace umk {
namespace sef {
namespace {

constexpr std::uint32_t kAreaMagic = 0x41535553;  // "SUSA"
constexpr std::uint32_t kCopyMagic = 0x54535553;  // "SUST"

struct Area {
    unsigned char* base = nullptr;
    std::size_t slot = 0;  // data bytes per copy
    std::uint32_t version = 0;
    std::uint64_t seq = 0;  // of the newest copy we wrote
    cp_grant_id_t grant = GRANT_INVALID;
};
Area area;

endpoint_t prev_endpoint = NONE;
cp_grant_id_t prev_grant = GRANT_INVALID;

std::size_t copy_offset(int i, std::size_t slot) {
    return sizeof(sef_state_area_hdr) +
           static_cast<std::size_t>(i) * (sizeof(sef_state_copy_hdr) + slot);
}
std::size_t copy_offset(int i) {
    return copy_offset(i, area.slot);
}

sef_state_copy_hdr* header(int i) {
    return reinterpret_cast<sef_state_copy_hdr*>(area.base + copy_offset(i));
}

std::uint32_t crc_table_entry(std::uint32_t c) {
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    return c;
}

}  // namespace

cp_grant_id_t state_grant_for_init() {
    if (!area.base) return GRANT_INVALID;
    // The grant names the endpoint we own now (after a swap: the label's
    // endpoint), so that whoever owns it next may read our checkpoints.
    if (area.grant != GRANT_INVALID) cpf_revoke(area.grant);
    area.grant =
        cpf_grant_direct(self_endpoint(), detail::addr_of(area.base), copy_offset(2), CPF_READ);
    if (area.grant == GRANT_INVALID)
        log_printf("sef: cannot grant the state area: the next instance will start without it\n");
    return area.grant;
}

void state_set_predecessor(endpoint_t ep, cp_grant_id_t grant) {
    prev_endpoint = grant == GRANT_INVALID ? NONE : ep;
    prev_grant = prev_endpoint == NONE ? GRANT_INVALID : grant;
}

void state_reset() {
    area = Area{};
    prev_endpoint = NONE;
    prev_grant = GRANT_INVALID;
}

}  // namespace sef

std::uint32_t sef_crc32(const void* data, std::size_t len) {
    static std::uint32_t table[256];
    static bool ready = false;
    if (!ready) {
        for (std::uint32_t i = 0; i < 256; ++i) table[i] = sef::crc_table_entry(i);
        ready = true;
    }
    const auto* p = static_cast<const unsigned char*>(data);
    std::uint32_t c = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < len; ++i) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

int sef_state_setup(void* area, std::size_t area_len, std::size_t max_len, std::uint32_t version) {
    const std::size_t slot = (max_len + 7) & ~std::size_t{7};
    if (!area || max_len == 0 || slot < max_len || area_len < sef_state_area_size(max_len) ||
        (detail::addr_of(area) & 7) != 0)
        return -EINVAL;
    sef::area = sef::Area{};
    sef::area.base = static_cast<unsigned char*>(area);
    sef::area.slot = slot;
    sef::area.version = version;
    auto* ah = static_cast<sef_state_area_hdr*>(area);
    ah->magic = sef::kAreaMagic;
    ah->slot = static_cast<std::uint32_t>(slot);
    for (int i = 0; i < 2; ++i) *sef::header(i) = sef_state_copy_hdr{};
    return OK;
}

int sef_state_checkpoint(const void* data, std::size_t len) {
    sef::Area& a = sef::area;
    if (!a.base) return -ENOSYS;
    if (len > a.slot || (len && !data)) return -EINVAL;
    // The older copy (the newest stays readable while this one is written).
    const int i = sef::header(0)->seq <= sef::header(1)->seq ? 0 : 1;
    sef_state_copy_hdr* h = sef::header(i);
    __atomic_store_n(&h->magic, 0u, __ATOMIC_RELEASE);
    auto* dst = reinterpret_cast<unsigned char*>(h + 1);
    const auto* src = static_cast<const unsigned char*>(data);
    for (std::size_t k = 0; k < len; ++k) dst[k] = src[k];
    h->version = a.version;
    h->seq = ++a.seq;
    h->len = static_cast<std::uint32_t>(len);
    h->crc = sef_crc32(dst, len);
    __atomic_store_n(&h->magic, sef::kCopyMagic, __ATOMIC_RELEASE);
    return OK;
}

int sef_state_restore(void* data, std::size_t* len, std::uint32_t* version) {
    if (!len || (*len && !data)) return -EINVAL;
    if (sef::prev_endpoint == NONE) return -ENOENT;
    // The predecessor's layout comes from its area header, not ours: a new
    // version may have a larger area.
    sef_state_area_hdr ah{};
    int r =
        sys_safecopyfrom(sef::prev_endpoint, sef::prev_grant, 0, detail::addr_of(&ah), sizeof ah);
    if (r != OK) return r == -EPERM || r == -EINVAL ? -EFAULT : r;
    if (ah.magic != sef::kAreaMagic || ah.slot % 8 != 0) return -EIO;
    sef_state_copy_hdr h[2];
    std::size_t at[2];
    for (int i = 0; i < 2; ++i) {
        at[i] = sef::copy_offset(i, ah.slot);
        r = sys_safecopyfrom(sef::prev_endpoint, sef::prev_grant, at[i], detail::addr_of(&h[i]),
                             sizeof h[i]);
        if (r != OK) return r == -EPERM || r == -EINVAL ? -EFAULT : r;
    }
    bool any = false;
    bool too_big = false;
    for (int pass = 0; pass < 2; ++pass) {
        // Newest first.
        const int i = (h[0].seq >= h[1].seq) == (pass == 0) ? 0 : 1;
        if (h[i].magic != sef::kCopyMagic || h[i].seq == 0) continue;
        any = true;
        if (h[i].len > ah.slot) continue;  // a damaged header
        if (h[i].len > *len) {
            too_big = true;
            continue;
        }
        if (sys_safecopyfrom(sef::prev_endpoint, sef::prev_grant, at[i] + sizeof h[i],
                             detail::addr_of(data), h[i].len) != OK)
            continue;
        if (sef_crc32(data, h[i].len) != h[i].crc) {
            log_printf(
                "sef: the predecessor's checkpoint %llu is damaged (CRC); trying the other\n",
                static_cast<unsigned long long>(h[i].seq));
            continue;
        }
        *len = h[i].len;
        if (version) *version = h[i].version;
        // Our next checkpoint must be newer than the one we took.
        if (h[i].seq > sef::area.seq) sef::area.seq = h[i].seq;
        return OK;
    }
    if (too_big) return -E2BIG;
    return any ? -EIO : -ENOENT;
}

endpoint_t sef_state_predecessor() {
    return sef::prev_endpoint;
}

}  // namespace umk
