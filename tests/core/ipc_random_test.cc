// Random IPC traffic among a handful of processes, with deaths and slot
// reuse, checked against a simple model after every step: every message a
// sender was told was delivered arrives exactly once, at the right endpoint,
// with the right source; nothing a sender was told failed ever arrives; a
// notification only arrives if one was sent since the last one; queues and
// RTS flags stay consistent.
#include <map>
#include <random>
#include <set>
#include <vector>

#include "harness.h"

namespace umk {
namespace {

using namespace test;

constexpr int NPROC = 6;
constexpr std::size_t TABLE_ENTRIES = 4;
constexpr vir_bytes TABLE = mem_addr(0);

enum class Fate { pending, delivered, failed, unknown };

struct Sent {
    endpoint_t from, to;
    bool noreply = false;
    Fate fate = Fate::pending;
    int received = 0;
};

struct Op {  // the trap a process is in
    int call = 0;
    int id = 0;  // message id of its send half, 0 if none
    endpoint_t peer = NONE;
};

class IpcRandom : public ::testing::TestWithParam<unsigned> {
  protected:
    std::mt19937 rng{GetParam()};
    std::map<int, Sent> sent;
    int next_id = 1;
    Op op[NPROC];
    int seen[NPROC] = {};                      // delivered messages already checked
    int table_ids[NPROC][TABLE_ENTRIES] = {};  // SENDA entry -> message id (0: free)
    std::set<std::pair<endpoint_t, endpoint_t>> notify_pending;  // (from, to)

    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }

    // A destination: usually a live process, sometimes a dead endpoint.
    endpoint_t pick_dst(int self) {
        if (pick(20) == 0) return make_endpoint(7, 3);  // stale
        int d = pick(NPROC - 1);
        if (d >= self) ++d;
        return ep(d);
    }

    message data_msg(int id) {
        message m = make_msg(500, id);
        m.m_source = ep(NPROC - 1);  // a forgery attempt: must be overwritten
        return m;
    }

    int new_id(int from, endpoint_t to, bool noreply = false) {
        const int id = next_id++;
        sent[id] = Sent{ep(from), to, noreply};
        return id;
    }

    void settle(int id, bool ok) {
        if (id == 0) return;
        Sent& s = sent[id];
        if (s.fate == Fate::pending) s.fate = ok ? Fate::delivered : Fate::failed;
    }

    // A trap of p ended with result r: what it says about its send half.
    void trap_done(int p, int r) {
        Op& o = op[p];
        if (o.call == SEND || o.call == SENDNB) settle(o.id, r == OK);
        if (o.call == SENDREC) {
            // ESRCDIED: the partner died after taking the request.
            if (r == OK || r == -ESRCDIED)
                settle(o.id, true);
            else if (r == -EDSTDIED || r == -ELOCKED || r == -EDEADSRCDST || r == -ECALLDENIED)
                settle(o.id, false);
            if (r == OK) {
                const message reply = last_msg(proc(p));
                EXPECT_EQ(reply.m_source, o.peer) << "a SENDREC ended by someone else";
                if (reply.m_type == 500) {
                    EXPECT_FALSE(sent[reply.m1_i1].noreply);
                }
            }
        }
        o = Op{};
    }

    void check_deliveries(int p) {
        const Proc& pp = proc(p);
        ASSERT_LE(pp.p_arch.delivered - seen[p], FAKE_MSG_LOG);
        for (; seen[p] < pp.p_arch.delivered; ++seen[p]) {
            const message m = delivered_msg(pp, seen[p]);
            if (is_notify(m.m_type)) {
                const auto key = std::make_pair(m.m_source, pp.p_endpoint);
                EXPECT_TRUE(notify_pending.count(key)) << "notification from " << m.m_source;
                notify_pending.erase(key);
                continue;
            }
            ASSERT_EQ(m.m_type, 500);
            const auto it = sent.find(m.m1_i1);
            ASSERT_NE(it, sent.end());
            Sent& s = it->second;
            EXPECT_EQ(++s.received, 1) << "message " << m.m1_i1 << " delivered twice";
            EXPECT_NE(s.fate, Fate::failed) << "message " << m.m1_i1 << " failed but arrived";
            EXPECT_EQ(m.m_source, s.from);
            EXPECT_EQ(s.to, pp.p_endpoint);
        }
    }

    void check_tables(int p) {
        for (std::size_t i = 0; i < TABLE_ENTRIES; ++i) {
            const int id = table_ids[p][i];
            if (!id) continue;
            const asynmsg_t e = read_obj<asynmsg_t>(proc(p), TABLE + i * sizeof(asynmsg_t));
            if (!(e.flags & AMF_DONE)) continue;
            settle(id, e.result == OK);
            table_ids[p][i] = 0;
        }
    }

    void check_all() {
        for (int p = 0; p < NPROC; ++p) {
            Proc& pp = proc(p);
            if (op[p].call && !in_trap(pp)) trap_done(p, pp.p_arch.last_retval);
            check_deliveries(p);
            check_tables(p);
            EXPECT_EQ(pp.p_misc_flags & MF_DELIVERMSG, 0u);
            EXPECT_EQ(proc_is_runnable(pp), !in_trap(pp)) << "slot " << p;
            // Sending <=> exactly once in the destination's queue.
            int in_queues = 0;
            for (int q = 0; q < NPROC; ++q)
                for (Proc* x = proc(q).p_caller_q; x; x = x->p_q_link) {
                    if (x == &pp) {
                        ++in_queues;
                        EXPECT_EQ(pp.p_sendto_e, ep(q));
                    }
                }
            EXPECT_EQ(in_queues, (pp.p_rts_flags & RTS_SENDING) ? 1 : 0) << "slot " << p;
        }
    }

    void kill_and_respawn(int k) {
        for (std::size_t i = 0; i < TABLE_ENTRIES; ++i) {
            if (table_ids[k][i]) sent[table_ids[k][i]].fate = Fate::unknown;
            table_ids[k][i] = 0;
        }
        if (op[k].id) sent[op[k].id].fate = Fate::unknown;
        op[k] = Op{};
        const endpoint_t old = ep(k);
        ipc_clear_proc(proc(k));
        proc_free_slot(proc(k));
        for (auto it = notify_pending.begin(); it != notify_pending.end();)
            it = (it->first == old || it->second == old) ? notify_pending.erase(it) : ++it;
        Proc& fresh = spawn_sys("again");
        ASSERT_EQ(fresh.p_nr, k);  // the only free slot
        seen[k] = 0;
        check_all();  // the dead one's partners learn now
    }

    void senda_step(int p) {
        check_tables(p);
        std::size_t slot = TABLE_ENTRIES;
        for (std::size_t i = 0; i < TABLE_ENTRIES; ++i)
            if (!table_ids[p][i]) slot = i;
        if (slot == TABLE_ENTRIES) return;  // table full of pending messages
        const endpoint_t dst = pick_dst(p);
        const bool noreply = pick(2) == 0;
        const int id = new_id(p, dst, noreply);
        asynmsg_t e{};
        e.flags = AMF_VALID | (noreply ? AMF_NOREPLY : 0);
        e.dst = dst;
        e.msg = data_msg(id);
        write_mem(proc(p), TABLE + slot * sizeof(asynmsg_t), &e, sizeof e);
        table_ids[p][slot] = id;
        op[p] = Op{SENDA, 0, NONE};
        EXPECT_EQ(senda(proc(p), TABLE, TABLE_ENTRIES), OK);
    }

    void step() {
        std::vector<int> free_procs;
        for (int p = 0; p < NPROC; ++p)
            if (!in_trap(proc(p))) free_procs.push_back(p);
        const int action = pick(20);
        if (free_procs.empty() || action == 0) {
            const endpoint_t task = pick(2) ? CLOCK : SYSTEM;
            const int d = pick(NPROC);
            notify_pending.insert({task, ep(d)});
            notify_from_kernel(task, proc(d));
        } else if (action == 1) {
            kill_and_respawn(pick(NPROC));
            return;
        } else {
            const int p = free_procs[pick(static_cast<int>(free_procs.size()))];
            const endpoint_t dst = pick_dst(p);
            switch (pick(7)) {
                case 0:
                case 1: {
                    const int id = new_id(p, dst);
                    op[p] = Op{SEND, id, dst};
                    send(proc(p), dst, data_msg(id));
                    break;
                }
                case 2: {
                    const int id = new_id(p, dst);
                    op[p] = Op{SENDNB, id, dst};
                    sendnb(proc(p), dst, data_msg(id));
                    break;
                }
                case 3: {
                    const int id = new_id(p, dst);
                    op[p] = Op{SENDREC, id, dst};
                    sendrec(proc(p), dst, data_msg(id));
                    break;
                }
                case 4:
                case 5:
                    op[p] = Op{RECEIVE, 0, NONE};
                    receive(proc(p), pick(3) ? ANY : dst);
                    break;
                case 6:
                    if (pick(2)) {
                        op[p] = Op{NOTIFY, 0, dst};
                        if (notify(proc(p), dst) == OK) notify_pending.insert({ep(p), dst});
                    } else {
                        senda_step(p);
                    }
                    break;
            }
        }
        check_all();
    }
};

TEST_P(IpcRandom, NothingLostNothingTwice) {
    boot_sys(NPROC);
    for (int i = 0; i < 3000 && !HasFailure(); ++i) step();
    int delivered = 0;
    for (const auto& [id, s] : sent) {
        if (s.fate == Fate::delivered) {
            EXPECT_EQ(s.received, 1)
                << "message " << id << " reported delivered, arrived " << s.received << " times";
            ++delivered;
        }
    }
    EXPECT_GT(delivered, 100);  // the traffic did flow
}

INSTANTIATE_TEST_SUITE_P(Seeds, IpcRandom, ::testing::Range(1u, 13u));

}  // namespace
}  // namespace umk
