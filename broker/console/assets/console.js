// The Samsa console: polls /api/state (cluster, topics, groups) and /metrics every 2 s and
// redraws. Everything from the cluster goes into the page as text (textContent), never as
// markup: topic and group names are whatever clients chose.
"use strict";

const POLL_MS = 2000;
const CHART_POINTS = 90;  // 3 minutes at 2 s

// name in /metrics (the all-topics series, no labels) -> chart
const SERIES = {
  kafka_server_brokertopicmetrics_bytesin_total: "bytesin",
  kafka_server_brokertopicmetrics_bytesout_total: "bytesout",
  kafka_server_brokertopicmetrics_messagesin_total: "messagesin",
};

// Same-origin URLs built on location.origin: a page opened with user:pass@ in its URL would
// otherwise resolve relative URLs with the credentials in them, which fetch() refuses; the
// browser sends the credential it was challenged for by itself.
const api = (path) => new URL(path, window.location.origin).href;

const history = { bytesin: [], bytesout: [], messagesin: [] };
let lastCounters = null;  // {time, values}
let lastState = null;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function formatBytes(n) {
  if (n === null || n === undefined) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n.toFixed(0) : n.toFixed(1)) + " " + units[i];
}

function formatNumber(n) {
  if (n === null || n === undefined) return "–";
  if (Math.abs(n) >= 1e6) return (n / 1e6).toFixed(1) + "M";
  if (Math.abs(n) >= 1e4) return (n / 1e3).toFixed(1) + "k";
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function ids(list) { return (list || []).join(","); }

// ---- rendering ------------------------------------------------------------------------------

function renderOverview(state) {
  // Counted over every topic, internal ones too: an offline __consumer_offsets partition
  // matters as much as any.
  const topics = state.topics;
  const partitions = state.topics.reduce((n, t) => n + t.partitions.length, 0);
  const under = state.topics.reduce((n, t) => n + t.underReplicated, 0);
  const offline = state.topics.reduce((n, t) => n + t.offline, 0);
  const stat = (label, value, cls) =>
    el("div", { class: "stat" + (cls ? " " + cls : "") }, el("b", {}, value), label);
  document.getElementById("overview").replaceChildren(
    stat("brokers", state.cluster.brokers.length),
    stat("controller", state.cluster.controller >= 0 ? state.cluster.controller : "none"),
    stat("topics", topics.length),
    stat("partitions", partitions),
    stat("under-replicated", under, under > 0 ? "flag-under" : ""),
    stat("offline", offline, offline > 0 ? "flag-offline" : ""),
    stat("consumer groups", state.groups.length));
}

function renderBrokers(cluster) {
  const rows = cluster.brokers.map((b) =>
    el("tr", { "data-broker": b.id, class: b.controller ? "controller" : "" },
      el("td", {}, String(b.id), b.controller ? el("span", { class: "badge" }, "controller") : null),
      el("td", {}, b.host + ":" + b.port),
      el("td", {}, (b.endpoints || []).join(" ")),
      el("td", {}, b.rack === null ? "–" : b.rack),
      el("td", {}, b.upSince ? new Date(b.upSince).toLocaleString() : "–")));
  document.querySelector("#brokers tbody").replaceChildren(...rows);
}

function renderTopics(topics) {
  const showInternal = document.getElementById("show-internal").checked;
  const blocks = topics.filter((t) => showInternal || !t.internal).map((t) => {
    const rows = t.partitions.map((p) =>
      el("tr", {
        class: "partition " + (p.status === "ok" ? "status-ok" : p.status),
        "data-topic": t.name, "data-partition": p.partition, "data-status": p.status,
      },
        el("td", { class: "num" }, p.partition),
        el("td", { class: "num" }, p.leader >= 0 ? p.leader : "none"),
        el("td", {}, ids(p.replicas)),
        el("td", {}, ids(p.isr)),
        el("td", { class: "status" }, p.status),
        el("td", { class: "num" }, formatBytes(p.size)),
        el("td", { class: "num", "data-end-offset": p.endOffset }, formatNumber(p.endOffset))));
    const flags = [];
    if (t.offline) flags.push(el("span", { class: "flag-offline" }, t.offline + " offline"));
    if (t.underReplicated) {
      flags.push(el("span", { class: "flag-under" }, t.underReplicated + " under-replicated"));
    }
    return el("div", { class: "topic", "data-topic": t.name },
      el("div", { class: "topic-head" },
        el("h3", {}, t.name), el("span", { class: "muted" },
          t.partitions.length + " partitions, " + formatBytes(t.size)),
        t.internal ? el("span", { class: "badge" }, "internal") : null, flags),
      el("div", { class: "scroll" }, el("table", {},
        el("thead", {}, el("tr", {}, el("th", { class: "num" }, "Partition"),
          el("th", { class: "num" }, "Leader"), el("th", {}, "Replicas"), el("th", {}, "ISR"),
          el("th", {}, "Status"), el("th", { class: "num" }, "Size"),
          el("th", { class: "num" }, "End offset"))),
        el("tbody", {}, rows))));
  });
  document.getElementById("topics").replaceChildren(
    ...(blocks.length ? blocks : [el("p", { class: "muted" }, "no topics")]));
}

function renderGroups(groups) {
  const blocks = groups.map((g) => {
    const rows = g.offsets.map((o) =>
      el("tr", { class: "group-offset", "data-group": g.group, "data-topic": o.topic,
                 "data-partition": o.partition, "data-lag": o.lag },
        el("td", {}, o.topic), el("td", { class: "num" }, o.partition),
        el("td", { class: "num" }, formatNumber(o.committed)),
        el("td", { class: "num" }, formatNumber(o.endOffset)),
        el("td", { class: "num lag" }, o.lag === null ? "–" : String(o.lag))));
    const members = g.members.map((m) =>
      el("li", {}, m.clientId + " @ " + m.host + ": " + (m.assignment.join(", ") || "no partitions")));
    return el("div", { class: "group", "data-group": g.group },
      el("div", { class: "group-head" }, el("h3", {}, g.group),
        el("span", { class: "group-state" }, g.state || "?"),
        el("span", { class: "muted" }, g.members.length + " members"),
        el("span", { class: "total-lag", "data-total-lag": g.totalLag }, "lag " + g.totalLag),
        g.coordinator !== null ? el("span", { class: "muted" }, "coordinator " + g.coordinator) : null,
        g.error ? el("span", { class: "error" }, g.error) : null),
      members.length ? el("ul", { class: "members" }, members) : null,
      rows.length ? el("div", { class: "scroll" }, el("table", {},
        el("thead", {}, el("tr", {}, el("th", {}, "Topic"), el("th", { class: "num" }, "Partition"),
          el("th", { class: "num" }, "Committed"), el("th", { class: "num" }, "End offset"),
          el("th", { class: "num" }, "Lag"))),
        el("tbody", {}, rows))) : el("p", { class: "muted" }, "no committed offsets"));
  });
  document.getElementById("groups").replaceChildren(
    ...(blocks.length ? blocks : [el("p", { class: "muted" }, "no consumer groups")]));
}

function renderWarnings(warnings) {
  const section = document.getElementById("warnings-section");
  section.hidden = warnings.length === 0;
  document.getElementById("warnings").replaceChildren(...warnings.map((w) => el("li", {}, w)));
}

function render(state) {
  renderOverview(state);
  renderBrokers(state.cluster);
  renderTopics(state.topics);
  renderGroups(state.groups);
  renderWarnings(state.cluster.warnings || []);
}

// ---- metrics and charts ---------------------------------------------------------------------

// The all-topics value of each charted counter in Prometheus text (the series without labels).
function parseCounters(text) {
  const values = {};
  for (const line of text.split("\n")) {
    const space = line.indexOf(" ");
    if (space < 0 || line.startsWith("#")) continue;
    const name = line.slice(0, space);
    if (name in SERIES) values[SERIES[name]] = parseFloat(line.slice(space + 1));
  }
  return values;
}

function addRates(values, time) {
  if (lastCounters) {
    const seconds = (time - lastCounters.time) / 1000;
    for (const key of Object.keys(history)) {
      const before = lastCounters.values[key];
      const now = values[key];
      // null: the broker does not export the series. A restarted broker starts its
      // counters again: no negative rate.
      const rate = now === undefined ? null
        : before === undefined || seconds <= 0 ? 0 : Math.max(0, (now - before) / seconds);
      history[key].push(rate);
      if (history[key].length > CHART_POINTS) history[key].shift();
    }
  }
  lastCounters = { time, values };
}

function drawChart(canvas, points, format) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth, height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
  if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  if (points.every((v) => v === null)) {
    ctx.fillStyle = "#6b7280";
    ctx.font = "12px system-ui, sans-serif";
    ctx.fillText(points.length ? "no data from /metrics" : "waiting for samples…", 8, height / 2);
    return;
  }
  points = points.map((v) => v || 0);
  const max = Math.max(1, ...points);
  const top = 16, bottom = height - 4;
  ctx.strokeStyle = "#e3e5e8";
  ctx.beginPath(); ctx.moveTo(0, top); ctx.lineTo(width, top); ctx.stroke();
  ctx.fillStyle = "#6b7280";
  ctx.font = "11px system-ui, sans-serif";
  ctx.fillText("max " + format(max) + "   now " + format(points.length ? points[points.length - 1] : 0),
               4, 12);
  if (points.length < 2) return;
  const step = width / (CHART_POINTS - 1);
  const x0 = width - (points.length - 1) * step;
  ctx.strokeStyle = "#2563eb";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  points.forEach((v, i) => {
    const x = x0 + i * step, y = bottom - (v / max) * (bottom - top);
    if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  });
  ctx.stroke();
}

function drawCharts() {
  drawChart(document.getElementById("chart-bytesin"), history.bytesin, formatBytes);
  drawChart(document.getElementById("chart-bytesout"), history.bytesout, formatBytes);
  drawChart(document.getElementById("chart-messagesin"), history.messagesin, formatNumber);
}

// ---- polling --------------------------------------------------------------------------------

function setStatus(text, isError) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.className = isError ? "error" : "muted";
}

async function pollState() {
  try {
    const response = await fetch(api("/api/state"), { cache: "no-store", credentials: "same-origin" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    lastState = await response.json();
    render(lastState);
    const c = lastState.cluster;
    setStatus("cluster " + (c.clusterId || "?") + " · served by broker " + c.servedBy +
              " · updated " + new Date(c.generatedAt).toLocaleTimeString());
    document.body.setAttribute("data-generated", c.generatedAt);
  } catch (e) {
    setStatus("cannot load the cluster state: " + e.message, true);
  }
}

async function pollMetrics() {
  try {
    const response = await fetch(api("/metrics"), { cache: "no-store", credentials: "same-origin" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    addRates(parseCounters(await response.text()), Date.now());
  } catch (e) {
    addRates({}, Date.now());
  }
  drawCharts();
}

async function tick() {
  await Promise.all([pollState(), pollMetrics()]);
  setTimeout(tick, POLL_MS);
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("show-internal").addEventListener("change", () => {
    if (lastState) renderTopics(lastState.topics);
  });
  window.addEventListener("resize", drawCharts);
  tick();
});
