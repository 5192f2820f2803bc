// SEF state transfer for the in-process tests (umklib/sef_state.h): one
// area per test binary. A checkpoint keeps its bytes here; a restore (the
// successor) returns the last checkpoint, or the error a test chose (a lost
// or damaged predecessor). Linked only into the groups that use it.
#pragma once

#include <cstdint>
#include <vector>

namespace fake_state {

extern std::vector<unsigned char> last;  // the newest checkpoint
extern std::uint32_t version;            // its layout version
extern bool have;                        // any checkpoint since reset
extern int restore_error;                // OK, or what sef_state_restore says
void reset();

}  // namespace fake_state
