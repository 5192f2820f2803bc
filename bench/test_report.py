#!/usr/bin/env python3
"""Tests of bench/report against fake benchmark programs with canned JSON.

usage: test_report.py <path of bench/report>
"""

import json
import os
import stat
import subprocess
import sys
import tempfile
import unittest

REPORT = None


def entry(name, real_time_us, **extra):
    e = {"name": f"{name}/real_time", "run_name": f"{name}/real_time", "run_type": "iteration",
         "iterations": 100, "real_time": real_time_us, "cpu_time": 1.0, "time_unit": "us"}
    e.update(extra)
    return e


def write_fake(build_dir, program, benchmarks):
    """A fake benchmark program that writes `benchmarks` as its JSON output."""
    os.makedirs(os.path.join(build_dir, "bench"), exist_ok=True)
    data = {"context": {"num_cpus": 2, "load_avg": [0.5, 0.5, 0.5]}, "benchmarks": benchmarks}
    path = os.path.join(build_dir, "bench", program)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n"
                "for a in \"$@\"; do case $a in --benchmark_out=*) out=${a#*=};; esac; done\n"
                f"cat > \"$out\" <<'EOF'\n{json.dumps(data)}\nEOF\n")
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)


def run(build_dir, out_dir):
    return subprocess.run([REPORT, build_dir, "--out", out_dir, "--repetitions", "1",
                           "--min-time", "0.01"], capture_output=True, text=True)


class ReportTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.build = os.path.join(self.tmp.name, "build")
        self.out = os.path.join(self.tmp.name, "out")

    def tearDown(self):
        self.tmp.cleanup()

    def test_ratios_verdicts_and_charts(self):
        write_fake(self.build, "umk_bench_ipc", [
            entry("BM_FutexPingPong", 10.0, cpu_us=5.0),
            entry("BM_PtraceTrap", 20.0),
            entry("BM_SendrecKernel", 20.0, cpu_us=10.0),
            entry("BM_SendrecKernel64", 22.0),
        ])
        write_fake(self.build, "umk_bench_update", [
            {**entry("BM_SpawnBaseline", 4000.0)},
            {**entry("BM_LiveUpdateHello", 8000.0)},
            {**entry("BM_RestartHello", 16000.0)},
            {**entry("BM_UpdateBlockedTime", 9000.0, blocked_ms=0.5)},
        ])
        r = run(self.build, self.out)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        lines = r.stdout.splitlines()

        def line(label):
            found = [x for x in lines if x.strip().startswith(label)]
            self.assertTrue(found, f"no line for {label}:\n{r.stdout}")
            return found[0]

        self.assertIn("2.000", line("SendrecKernel / FutexPingPong"))
        self.assertIn("MISS", line("SendrecKernel / FutexPingPong"))  # 2.0 > 1.5
        self.assertIn("MISS", line("SendrecKernel / PtraceTrap"))  # 1.0 > 0.25
        self.assertIn("PASS", line("SendrecKernel64 / SendrecKernel"))  # 1.1 <= 1.2
        self.assertIn("PASS", line("LiveUpdate / Spawn"))  # 2 <= 3
        self.assertIn("MISS", line("Restart / Spawn"))  # 4 > 3
        self.assertIn("PASS", line("blocked time"))  # 0.5 <= 1
        for svg in ("ipc.svg", "update.svg"):
            with open(os.path.join(self.out, svg)) as f:
                self.assertIn("<svg", f.read())
        self.assertTrue(os.path.exists(os.path.join(self.out, "umk_bench_ipc.json")))

    def test_every_server_against_the_spawn_baseline(self):
        def reps(name, times_us, **extra):
            out = [entry(name, t, **extra) for t in times_us]
            out.append({**entry(name, sorted(times_us)[len(times_us) // 2], **extra),
                        "run_type": "aggregate", "aggregate_name": "median"})
            return out

        update = reps("BM_SpawnBaseline", [1000.0, 2000.0, 3000.0])
        update += reps("BM_Update_hello", [3000.0, 4000.0, 8000.0], cpu_us=1500.0)
        update += reps("BM_Crash_hello", [1000.0, 1000.0, 2000.0], cpu_us=900.0)
        update += reps("BM_Update_rs", [2000.0, 3000.0, 4000.0])
        update.append({**entry("BM_Crash_pm", 0.0), "error_occurred": True,
                       "error_message": "pm did not serve again within 5 s"})
        write_fake(self.build, "umk_bench_ipc", [entry("BM_FutexPingPong", 10.0)])
        write_fake(self.build, "umk_bench_update", update)
        r = run(self.build, self.out)
        self.assertNotEqual(r.returncode, 0)  # BM_Crash_pm failed
        lines = r.stdout.splitlines()

        def line(server, kind):
            found = [x for x in lines if x.split()[:1] == [server] and kind in x]
            self.assertTrue(found, f"no line for {server} {kind}:\n{r.stdout}")
            return found[0]

        self.assertIn("against the spawn baseline (2.00 ms median)", r.stdout)
        # median 4 ms / spawn median 2 ms; spread 3/2 .. 8/2; CPU 1.5 ms
        self.assertIn("2.00", line("hello", "live update"))
        self.assertIn("1.50-4.00", line("hello", "live update"))
        self.assertIn("1.50 ms", line("hello", "live update"))
        self.assertIn("0.50-1.00", line("hello", "crash"))
        self.assertIn("1.50", line("rs", "live update"))
        self.assertIn("failed", line("pm", "crash"))
        self.assertIn("n/a", line("vm", "live update"))
        self.assertIn("pm did not serve again", r.stderr)
        with open(os.path.join(self.out, "servers.svg")) as f:
            svg = f.read()
        self.assertTrue("<svg" in svg)
        for server in ("pm", "vm", "ds", "devman", "tty", "hello", "rs"):
            self.assertTrue(f">{server}<" in svg, f"no label {server} in servers.svg")
        self.assertTrue("spawn baseline" in svg)
        self.assertTrue("failed" in svg)
        # update.svg keeps the hello benchmarks only.
        with open(os.path.join(self.out, "update.svg")) as f:
            self.assertNotIn("Update_rs", f.read())

    def test_a_failed_benchmark_fails_the_report_after_the_numbers(self):
        write_fake(self.build, "umk_bench_ipc", [
            entry("BM_FutexPingPong", 10.0),
            {**entry("BM_SendrecKernel", 0.0), "error_occurred": True,
             "error_message": "the umk host did not boot"},
        ])
        r = run(self.build, self.out)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("BM_FutexPingPong", r.stdout)
        self.assertIn("the umk host did not boot", r.stderr)

    def test_a_missing_program_fails_the_report(self):
        r = run(self.build, self.out)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("missing", r.stderr)


if __name__ == "__main__":
    REPORT = os.path.abspath(sys.argv.pop(1))
    unittest.main()
