// sef_state_error (umklib/sef_state.h): the words for a failed restore. A
// file of its own so that the unit tests' in-memory sef_state can do
// without it.
#include "umk/err.h"
#include "umklib/sef_state.h"

namespace umk {

const char* sef_state_error(int err) {
    switch (-err) {
        case ENOENT:
            return "there is no checkpoint of a predecessor";
        case EFAULT:
            return "its memory is gone";
        case EIO:
            return "no copy of the checkpoint is intact";
        case E2BIG:
            return "it is larger than this version's";
        case EINVAL:
            return "it is not in a layout this version reads";
        default:
            return "it cannot be read";
    }
}

}  // namespace umk
