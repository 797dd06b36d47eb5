"""scripts/samsa-capacity.sh, run as a user runs it (--json for the figures): its arithmetic
against cases worked out by hand in the comments (DEPLOYMENT.md §6 and codeforgeek's worked
example among them), reading bench/run.sh output, and clear errors for bad flags."""

import json
import os
import subprocess
import tempfile
import unittest

ROOT = os.environ.get("SAMSA_ROOT") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "scripts", "samsa-capacity.sh")

DAY = 86400


def capacity(*args):
    p = subprocess.run([SCRIPT, *args, "--json"], capture_output=True, text=True, timeout=30)
    if p.returncode != 0:
        raise AssertionError(f"exit {p.returncode}: {p.stderr}")
    return json.loads(p.stdout)


def failure(*args):
    """(exit status, stderr) of a run expected to fail."""
    p = subprocess.run([SCRIPT, *args], capture_output=True, text=True, timeout=30)
    return p.returncode, p.stderr


class CapacityArithmeticTest(unittest.TestCase):
    def test_codeforgeek_small_cluster(self):
        # 100 msg/s x 1 KB = 100 kB/s = 360 MB/h; 2 weeks: 360e6 x 24 x 14 = 120.96 GB a replica,
        # x3 = 362.88 GB; x1.1 / 0.7 = 570.24 GB provisioned; / 3 brokers = 190.08 GB each.
        r = capacity("--rate", "100", "--message-size", "1KB", "--retention", "2w",
                     "--brokers", "3")["estimate"]
        self.assertAlmostEqual(r["ingress"], 100_000)
        self.assertAlmostEqual(r["per_replica_retained"], 120.96e9)
        self.assertAlmostEqual(r["retained"], 362.88e9)
        self.assertAlmostEqual(r["provisioned"], 570.24e9, delta=1)
        self.assertAlmostEqual(r["disk_per_broker"], 190.08e9, delta=1)
        self.assertEqual(r["brokers"], 3)
        self.assertEqual(r["short_of"], [])

    def test_a_given_broker_count_that_is_too_small_is_reported(self):
        # W = 100 MB/s x RF 3 = 300 MB/s written: 3 brokers at the assumed 100 MB/s each, 3 for
        # m5.xlarge's 109.375 MB/s usable network in (2.7) and 3 for its 100.625 MB/s usable
        # EBS (2.98). But 3 groups read: out = 100 x (2 + 3) = 500 MB/s, 500 / 109.375 = 4.6 -> 5.
        r = capacity("--rate", "100k", "--message-size", "1000B", "--retention", "1h",
                     "--consumer-groups", "3", "--brokers", "3")["estimate"]
        self.assertEqual(r["brokers"], 3)
        self.assertEqual(r["needs"]["EBS write bandwidth"], 3)
        self.assertEqual(r["needs"]["network out"], 5)
        self.assertEqual(r["short_of"], ["network out"])

    def test_codeforgeek_headline_rate(self):
        # 1M msg/min = 16,666.7 msg/s x 1 KB = 16.67 MB/s = 1.44 TB/day; 14 days = 20.16 TB a
        # replica; x3 / 3 brokers / 0.7 = 28.8 TB a broker, x1.1 for indexes = 31.68 TB.
        r = capacity("--rate", "1M/min", "--message-size", "1KB", "--retention", "14d",
                     "--brokers", "3")["estimate"]
        self.assertAlmostEqual(r["ingress"] * DAY, 1.44e12, delta=1e3)
        self.assertAlmostEqual(r["per_replica_retained"], 20.16e12, delta=1e3)
        self.assertAlmostEqual(r["disk_per_broker"], 31.68e12, delta=1e3)

    def test_brief_example_is_disk_bound_on_m5_xlarge(self):
        # W = 50,000 x 1,024 = 51.2 MB/s; written x3 = 153.6 MB/s; read x(2 + 2) = 204.8 MB/s.
        # m5.xlarge: 1.25 Gbit/s -> 156.25 MB/s, 70% = 109.375 MB/s: in 2, out 2 brokers;
        # EBS 1150 Mbit/s -> 143.75 MB/s, 70% = 100.625 MB/s: 2; 100 MB/s a broker: 2.
        # Disk: 51.2e6 x 604,800 x 3 = 92.897 TB; x1.1/0.7 = 145.98 TB; 16 TiB = 17.592 TB a
        # broker: 145.98 / 17.592 = 8.3 -> 9 brokers. Partitions: 51.2/10 -> 6, 51.2/20 -> 3;
        # 6 rounded up to a multiple of 9 = 9.
        out = capacity("--rate", "50000", "--message-size", "1KiB", "--retention", "7d",
                       "--replication-factor", "3", "--consumer-groups", "2",
                       "--instance-type", "m5.xlarge")
        r = out["estimate"]
        self.assertAlmostEqual(r["ingress"], 51.2e6)
        self.assertAlmostEqual(r["cluster_write"], 153.6e6)
        self.assertAlmostEqual(r["cluster_out"], 204.8e6)
        self.assertAlmostEqual(r["limits"]["net_usable"], 109.375e6)
        self.assertAlmostEqual(r["limits"]["ebs_usable"], 100.625e6)
        needs = r["needs"]
        self.assertEqual((needs["network in"], needs["network out"], needs["EBS write bandwidth"],
                          needs["broker write throughput"], needs["disk"]), (2, 2, 2, 2, 9))
        self.assertAlmostEqual(r["provisioned"], 51.2e6 * 604800 * 3 * 1.1 / 0.7, delta=1)
        self.assertEqual(r["brokers"], 9)
        self.assertEqual(r["limited_by"], "disk")
        self.assertEqual(r["partitions"], 9)
        self.assertIn("assumed", out["broker_write_source"])

    def test_network_out_bound(self):
        # W = 100,000 x 1,000 = 100 MB/s; RF 3, 3 groups: out = 100 x 5 = 500 MB/s. m5.large:
        # 0.75 Gbit/s -> 93.75 MB/s, 70% = 65.625 MB/s: out 500/65.625 = 7.6 -> 8; in 300/65.625
        # = 4.6 -> 5; EBS 650 Mbit/s x 0.7 = 56.875 MB/s: 5.3 -> 6. Partitions 100/10 = 10 ->
        # a multiple of 8 = 16. Per broker out = 62.5 MB/s = 0.5 Gbit/s.
        r = capacity("--rate", "100k", "--message-size", "1000B", "--retention", "1h",
                     "--consumer-groups", "3", "--instance-type", "m5.large")["estimate"]
        self.assertEqual(r["needs"]["network out"], 8)
        self.assertEqual(r["needs"]["network in"], 5)
        self.assertEqual(r["needs"]["EBS write bandwidth"], 6)
        self.assertEqual(r["brokers"], 8)
        self.assertEqual(r["limited_by"], "network out")
        self.assertEqual(r["partitions"], 16)
        self.assertAlmostEqual(r["net_out_per_broker"], 62.5e6)

    def test_partition_count_can_ask_for_more_brokers(self):
        # W = 50 MB/s at 10 kB/s a partition = 5,000 partitions; x RF 3 = 15,000 replicas. Three
        # brokers would hold 5,001 x 3 / 3 = 5,001 each (> 4,000), so 15,000 / 4,000 -> 4
        # brokers, and 5,000 is already a multiple of 4.
        r = capacity("--rate", "50k", "--message-size", "1000B", "--retention", "1h",
                     "--instance-type", "m5.4xlarge", "--partition-write", "10kB/s",
                     "--partition-read", "10kB/s")["estimate"]
        self.assertEqual(r["partitions"], 5000)
        self.assertEqual(r["brokers"], 4)
        self.assertEqual(r["limited_by"], "partition replicas (4000 per broker)")

    def test_units(self):
        # 2 KiB = 2,048 B; 1.5 MB = 1,500,000 B; 36h = 1.5 days; a bare retention is hours.
        r = capacity("--rate", "1", "--message-size", "2KiB", "--retention", "36h")["estimate"]
        self.assertAlmostEqual(r["per_replica_retained"], 2048 * 36 * 3600)
        r = capacity("--rate", "2", "--message-size", "1.5MB", "--retention", "168")["estimate"]
        self.assertAlmostEqual(r["per_replica_retained"], 3e6 * 7 * DAY)

    def test_measured_throughput_comes_from_the_bench_row_nearest_in_size(self):
        bench = ("run                     records/s     MB/s  p50_ms\n"
                 "produce-100B-acks1        2440000   233.00     6.2\n"
                 "produce-100B-acksall      2440000   200.00     6.2\n"
                 "produce-1024B-acks1       1280000  1249.00    49.1\n"
                 "produce-1024B-acksall     1400000  1364.00    44.3\n"
                 "consume-1024B             1820000  1777.00\n")
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
            f.write(bench)
            f.flush()
            out = capacity("--rate", "1000", "--message-size", "900B", "--retention", "1d",
                           "--from", f.name)
            self.assertAlmostEqual(out["broker_write"], 1364 * 2**20)  # bench MB = 2^20 B
            self.assertIn("measured", out["broker_write_source"])
            out = capacity("--rate", "1000", "--message-size", "120B", "--retention", "1d",
                           "--from", f.name)
            self.assertAlmostEqual(out["broker_write"], 200 * 2**20)


class CapacityFlagsTest(unittest.TestCase):
    def assertFails(self, args, *fragments):
        rc, err = failure(*args)
        self.assertNotEqual(rc, 0)
        for fragment in fragments:
            self.assertIn(fragment, err)

    def test_bad_values_name_the_flag_and_the_value(self):
        base = ["--rate", "100", "--message-size", "1KB", "--retention", "1d"]
        self.assertFails(["--rate", "lots", "--message-size", "1KB", "--retention", "1d"],
                         "--rate", "'lots' is not a message rate")
        self.assertFails(["--rate", "10", "--message-size", "1KiX", "--retention", "1d"],
                         "--message-size", "unknown size unit 'KiX'")
        self.assertFails(["--rate", "10", "--message-size", "1KB", "--retention", "7y"],
                         "--retention", "unknown time unit 'y'")
        self.assertFails(base + ["--instance-type", "m9.huge"], "unknown instance type 'm9.huge'",
                         "m5.xlarge")
        self.assertFails(base + ["--replication-factor", "0"], "--replication-factor")
        self.assertFails(base + ["--brokers", "2"],
                         "--brokers 2 is fewer than --replication-factor 3")
        self.assertFails(base + ["--from", "/nonexistent/bench.txt"],
                         "--from /nonexistent/bench.txt")
        self.assertFails(base + ["--measure", "--from", "x"],
                         "--measure and --from exclude each other")
        self.assertFails(["--rate", "100"], "required", "--message-size", "--retention")
        self.assertFails(base + ["--frobnicate"], "unrecognized arguments: --frobnicate")

    def test_help(self):
        p = subprocess.run([SCRIPT, "--help"], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0)
        self.assertIn("--measure", p.stdout)
        self.assertIn("--instance-type", p.stdout)


if __name__ == "__main__":
    unittest.main()
