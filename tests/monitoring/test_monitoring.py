"""The monitoring files (monitoring/prometheus.yml, monitoring/grafana/samsa-dashboard.json)
against the metric contract of issue 10: every metric the dashboard charts is one the broker
serves, under the name and type the contract gives it, and the files load as Prometheus and
Grafana load them. Plain unittest, no broker; run by ctest as monitoring.files (label unit).
"""

import json
import os
import re
import unittest

import yaml

ROOT = os.environ.get("SAMSA_ROOT") or os.path.join(os.path.dirname(__file__), "..", "..")
DASHBOARD = os.path.join(ROOT, "monitoring", "grafana", "samsa-dashboard.json")
PROMETHEUS = os.path.join(ROOT, "monitoring", "prometheus.yml")

# The contract (issue 10): every family the broker renders, as Prometheus sees it. The one
# list of names in this test; counters carry their _total suffix, summaries are the family
# (series <name>{quantile=...}, <name>_sum, <name>_count).
CONTRACT = {
    "counter": [
        "kafka_server_brokertopicmetrics_messagesin_total",
        "kafka_server_brokertopicmetrics_bytesin_total",
        "kafka_server_brokertopicmetrics_bytesout_total",
        "kafka_server_brokertopicmetrics_replicationbytesin_total",
        "kafka_server_brokertopicmetrics_replicationbytesout_total",
        "kafka_server_brokertopicmetrics_totalproducerequests_total",
        "kafka_server_brokertopicmetrics_totalfetchrequests_total",
        "kafka_server_brokertopicmetrics_failedproducerequests_total",
        "kafka_server_brokertopicmetrics_failedfetchrequests_total",
        "kafka_server_replicamanager_isrshrinks_total",
        "kafka_server_replicamanager_isrexpands_total",
        "kafka_network_requestmetrics_requests_total",
        "kafka_network_requestmetrics_errors_total",
        "kafka_server_socket_server_metrics_failed_authentication_total",
        "kafka_server_socket_server_metrics_successful_authentication_total",
        "kafka_server_socket_server_metrics_connection_creation_total",
    ],
    "summary": [
        "kafka_network_requestmetrics_totaltimems",
        "kafka_log_logflushstats_logflushrateandtimems",
    ],
    "gauge": [
        "kafka_server_replicamanager_underreplicatedpartitions",
        "kafka_server_replicamanager_partitioncount",
        "kafka_server_replicamanager_leadercount",
        "kafka_server_replicamanager_offlinereplicacount",
        "kafka_controller_kafkacontroller_activecontrollercount",
        "kafka_controller_kafkacontroller_offlinepartitionscount",
        "kafka_controller_kafkacontroller_globalpartitioncount",
        "kafka_controller_kafkacontroller_globaltopiccount",
        "kafka_network_socketserver_networkprocessoravgidlepercent",
        "kafka_network_processor_idlepercent",
        "kafka_server_socket_server_metrics_connection_count",
        "kafka_consumergroup_lag",
        "kafka_consumergroup_current_offset",
        "kafka_server_kafkaserver_brokerstate",
    ],
}
# The quantiles the registry renders for a summary (Kafka's: broker/metrics/metrics.cc).
QUANTILES = {"0.5", "0.75", "0.95", "0.98", "0.99", "0.999"}

KIND = {name: kind for kind, names in CONTRACT.items() for name in names}
SERIES = dict(KIND)
for _name in CONTRACT["summary"]:
    SERIES[_name + "_sum"] = SERIES[_name + "_count"] = "summary"

PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool",
                "offset", "and", "or", "unless", "inf", "nan"}


def metric_names(expr):
    """The metric names a PromQL expression selects: identifiers left once strings, label
    matchers, range selectors and grouping clauses are removed, that are not called (a
    function) and not a keyword."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    e = re.sub(r"\{[^}]*\}", " ", e)
    e = re.sub(r"\[[^\]]*\]", " ", e)
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    names = set()
    for m in re.finditer(r"(?<![\w:.])([A-Za-z_:][\w:]*)(?![\w:])(?!\s*\()", e):
        if m.group(1).lower() not in PROMQL_WORDS:
            names.add(m.group(1))
    return names


def panels_of(dashboard):
    """Every panel, those inside collapsed rows too."""
    for p in dashboard["panels"]:
        yield p
        yield from p.get("panels", [])


def queries_of(dashboard):
    """(where, PromQL expression) of every panel target and every query variable; a
    label_values(<expr>, <label>) variable contributes its expression."""
    for p in panels_of(dashboard):
        for t in p.get("targets", []):
            yield f"panel '{p['title']}' {t['refId']}", t["expr"]
    for v in dashboard["templating"]["list"]:
        if v.get("type") != "query":
            continue
        q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
        m = re.fullmatch(r"\s*label_values\((.*),\s*(\w+)\s*\)\s*", q)
        yield f"variable {v['name']}", m.group(1) if m else q


class DashboardTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(DASHBOARD, encoding="utf-8") as f:
            cls.dashboard = json.load(f)
        cls.queries = list(queries_of(cls.dashboard))

    def test_the_name_extraction_finds_names_and_only_names(self):
        # The check below is only as good as metric_names(): it must see a stray name.
        self.assertEqual(metric_names(
            'sum by (topic) (rate(kafka_x_total{topic=~"a|b",instance!=""}[5m])) / on(instance) '
            'max(kafka_y{quantile="0.99"}) > bool 0 or label_replace(up, "a", "$1", "b", "(.*)")'),
            {"kafka_x_total", "kafka_y", "up"})

    def test_every_metric_charted_is_in_the_contract(self):
        unknown = [(where, name) for where, expr in self.queries for name in metric_names(expr)
                   if name not in SERIES]
        self.assertEqual(unknown, [], "metrics the broker does not serve (see CONTRACT)")

    def test_the_dashboard_charts_the_whole_contract(self):
        used = {name for _, expr in self.queries for name in metric_names(expr)}
        missing = [name for name in KIND if not ({name, name + "_sum", name + "_count"} & used)]
        self.assertEqual(missing, [], "contract metrics no panel charts")

    def test_counters_are_charted_as_rates(self):
        for where, expr in self.queries:
            if where.startswith("variable"):
                continue  # label_values() lists label values, it charts nothing
            stripped = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", expr)
            for name in metric_names(expr):
                kind = SERIES.get(name)
                if kind == "counter" or (kind == "summary" and name.endswith("_count")):
                    self.assertRegex(stripped, rf"\b(rate|irate|increase)\(\s*{name}\b",
                                     f"{where}: counter {name} outside rate()")

    def test_summary_quantiles_are_rendered_ones(self):
        for where, expr in self.queries:
            for q in re.findall(r'quantile\s*=~?\s*"([^"]*)"', expr):
                self.assertIn(q, QUANTILES, f"{where}: quantile {q} is never rendered")

    def test_datasource_is_the_import_input(self):
        inputs = {i["name"]: i for i in self.dashboard["__inputs"]}
        self.assertEqual(inputs["DS_PROMETHEUS"]["pluginId"], "prometheus")
        ds = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
        for p in panels_of(self.dashboard):
            if p["type"] == "row":
                continue
            self.assertEqual(p["datasource"], ds, p["title"])
            for t in p["targets"]:
                self.assertEqual(t["datasource"], ds, p["title"])
        for v in self.dashboard["templating"]["list"]:
            self.assertEqual(v["datasource"], ds, v["name"])
        self.assertIsNone(self.dashboard["id"], "an exported dashboard has id null")

    def test_panels_have_unique_ids_and_do_not_overlap(self):
        ids = [p["id"] for p in panels_of(self.dashboard)]
        self.assertEqual(len(ids), len(set(ids)))
        cells = {}
        for p in panels_of(self.dashboard):
            g = p["gridPos"]
            self.assertLessEqual(g["x"] + g["w"], 24, p["title"])
            for x in range(g["x"], g["x"] + g["w"]):
                for y in range(g["y"], g["y"] + g["h"]):
                    self.assertNotIn((x, y), cells, f"{p['title']} overlaps {cells.get((x, y))}")
                    cells[(x, y)] = p["title"]

    def test_template_variables_are_used(self):
        text = json.dumps(self.dashboard["panels"])
        for v in self.dashboard["templating"]["list"]:
            self.assertIn("$" + v["name"], text, f"variable {v['name']} filters no panel")


class PrometheusConfigTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(PROMETHEUS, encoding="utf-8") as f:
            cls.text = f.read()
        cls.config = yaml.safe_load(cls.text)

    def job(self, config):
        jobs = [j for j in config["scrape_configs"] if j["job_name"] == "samsa"]
        self.assertEqual(len(jobs), 1)
        return jobs[0]

    def test_scrapes_the_brokers_metrics_listeners(self):
        job = self.job(self.config)
        self.assertEqual(job.get("metrics_path", "/metrics"), "/metrics")
        self.assertEqual(job.get("scheme", "http"), "http")
        targets = [t for sc in job["static_configs"] for t in sc["targets"]]
        self.assertGreaterEqual(len(targets), 3)
        for t in targets:
            self.assertRegex(t, r"^[\w.-]+:9404$", "the default metrics port of terraform/")
        self.assertNotIn("basic_auth", job, "credentials are opt-in (commented)")

    def test_the_commented_basic_auth_block_is_valid_once_uncommented(self):
        uncommented = re.sub(r"(?m)^(\s*)# (basic_auth:|  username:|  password_file:)",
                             r"\1\2", self.text)
        job = self.job(yaml.safe_load(uncommented))
        self.assertEqual(set(job["basic_auth"]), {"username", "password_file"})
        self.assertNotIn("password:", uncommented.replace("password_file:", ""),
                         "no password inline in the file")

    def test_rate_windows_cover_several_scrapes(self):
        # rate() needs two samples in its window; the dashboard's shortest window is 1m.
        interval = self.config["global"]["scrape_interval"]
        self.assertRegex(interval, r"^\d+s$")
        self.assertLessEqual(int(interval[:-1]) * 4, 60)


if __name__ == "__main__":
    unittest.main()
