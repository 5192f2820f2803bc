#include "sef_state_fake.h"

#include <cstring>

#include "umk/err.h"
#include "umklib/sef.h"
#include "umklib/sef_state.h"

namespace fake_state {

std::vector<unsigned char> last;
std::uint32_t version = 0;
bool have = false;
int restore_error = umk::OK;
std::size_t max_len = 0;
std::uint32_t setup_version = 0;

void reset() {
    last.clear();
    version = 0;
    have = false;
    restore_error = umk::OK;
}

}  // namespace fake_state

namespace umk {

int sef_state_setup(void* area, std::size_t area_len, std::size_t max_len, std::uint32_t v) {
    if (!area || max_len == 0 || area_len < sef_state_area_size(max_len)) return -EINVAL;
    fake_state::max_len = max_len;
    fake_state::setup_version = v;
    return OK;
}

int sef_state_checkpoint(const void* data, std::size_t len) {
    if (fake_state::max_len == 0) return -ENOSYS;
    if (len > fake_state::max_len) return -EINVAL;
    const auto* p = static_cast<const unsigned char*>(data);
    fake_state::last.assign(p, p + len);
    fake_state::version = fake_state::setup_version;
    fake_state::have = true;
    return OK;
}

int sef_state_restore(void* data, std::size_t* len, std::uint32_t* v) {
    if (fake_state::restore_error != OK) return fake_state::restore_error;
    if (!fake_state::have) return -ENOENT;
    if (fake_state::last.size() > *len) return -E2BIG;
    std::memcpy(data, fake_state::last.data(), fake_state::last.size());
    *len = fake_state::last.size();
    if (v) *v = fake_state::version;
    return OK;
}

int sef_cb_lu_state_isvalid_standard(int state) {
    return state >= SEF_LU_STATE_WORK_FREE && state <= SEF_LU_STATE_PROTOCOL_FREE;
}

}  // namespace umk
