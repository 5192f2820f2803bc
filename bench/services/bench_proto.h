// Requests between the benchmark programs and the benchmark services
// (umk_bench_ping, umk_bench_pong). Message types well away from kernel
// calls (0x600..) and notifications (0x1000..0x10ff).
#pragma once

#include "umk/types.h"

namespace umk::bench {

// To ping: run m1_i1 round trips against the endpoint in m1_i2, then reply
// (m_type = OK or the first error, m1_i1 = round trips completed).
inline constexpr int BENCH_RUN_SENDREC = 0x7b00;  // SENDREC of BENCH_ECHO
inline constexpr int BENCH_RUN_NOTIFY = 0x7b01;   // NOTIFY, then RECEIVE its NOTIFY back
// To pong: echoed back unchanged with SEND (m1_i1 carries a sequence number).
inline constexpr int BENCH_ECHO = 0x7b10;
// Ping's reply when a round trip came back wrong.
inline constexpr int BENCH_BAD_REPLY = -0x7b00;

}  // namespace umk::bench
