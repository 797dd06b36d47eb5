// The offline check of terraform/: no providers, no `terraform init`, no network.
//   node tests/terraform/check.js [terraform dir]
// 1. every .tf parses (@cdktf/hcl2json, the HCL parser Terraform uses, compiled to WASM);
// 2. every var., local., module.<m>[.<output>], data. and resource reference names something
//    declared in its module; module calls pass only variables the module declares, and every
//    variable it requires;
// 3. variables are typed and described, and none has a secret-like default;
// 4. instances require IMDSv2 and encrypt their volumes; EBS volumes are encrypted;
// 5. the security group rules are exactly the port plan (DEPLOYMENT.md §1); the metrics port
//    is opened by one rule, absent unless var.monitoring_cidr is set, and then only to it, and
//    the brokers get metrics.listener only when it is set;
// 6. templatefile() paths exist, the keys passed are exactly the template's variables, and each
//    call renders (with test values) into a script `bash -n` accepts;
// 7. the root has the outputs bootstrap_servers and zookeeper_connect, and
//    terraform.tfvars.example sets only declared variables and every required one;
// 8. `terraform fmt -check -recursive` when a terraform binary is installed (fmt is offline).
// Prints one line per problem and exits 1 if there is any. With --each DIR..., checks every
// directory in one process (parses of unchanged files are shared) and prints each one's
// problems under a "== DIR" line, exiting 0: check_catches.sh judges the results.
"use strict";
const fs = require("fs");
const path = require("path");
const { execFileSync, spawnSync } = require("child_process");
const hcl = require(path.join(__dirname, "../js/node_modules/@cdktf/hcl2json"));
const template = require("./template");

let problems = [];
const problem = (where, msg) => problems.push(`${where}: ${msg}`);

// --- loading ----------------------------------------------------------------------------------

// A module: its directory and the merged blocks of its .tf files, each remembering its file.
async function loadModule(dir) {
  const mod = { dir, variables: {}, locals: {}, outputs: {}, modules: {}, resources: {}, data: {}, files: [] };
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".tf")).sort()) {
    const full = path.join(dir, file);
    let doc;
    try {
      doc = await parseCached(full, fs.readFileSync(full, "utf8"));
    } catch (e) {
      problem(full, `does not parse: ${e.message || e}`);
      continue;
    }
    mod.files.push({ file: full, doc });
    for (const [name, [v]] of Object.entries(doc.variable || {})) mod.variables[name] = { ...v, file: full };
    for (const block of doc.locals || []) for (const name of Object.keys(block)) mod.locals[name] = full;
    for (const [name, [o]] of Object.entries(doc.output || {})) mod.outputs[name] = { ...o, file: full };
    for (const [name, [m]] of Object.entries(doc.module || {})) mod.modules[name] = { ...m, file: full };
    for (const [type, byName] of Object.entries(doc.resource || {})) {
      for (const [name, [r]] of Object.entries(byName)) mod.resources[`${type}.${name}`] = { ...r, file: full, type };
    }
    for (const [type, byName] of Object.entries(doc.data || {})) {
      for (const name of Object.keys(byName)) mod.data[`${type}.${name}`] = full;
    }
  }
  return mod;
}

// Parsing is the slow part (WASM): documents are shared between directories by content.
const parsed = new Map();
async function parseCached(file, text) {
  if (!parsed.has(text)) parsed.set(text, await hcl.parse(file, text));
  return parsed.get(text);
}

// Every string in a parsed document, with the file it came from.
function strings(value, out = []) {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => strings(v, out));
  return out;
}

// The expression text of a string: what is inside ${...} (the parser keeps expressions so).
function expressions(s) {
  return s.includes("${") ? [s.replace(/"(?:[^"\\$]|\\.)*"/g, '""')] : [];
}

// --- 2. references ----------------------------------------------------------------------------

const META_ARGS = new Set(["source", "version", "count", "for_each", "providers", "depends_on"]);

function checkReferences(mod, modulesByDir) {
  for (const { file, doc } of mod.files) {
    for (const expr of strings(doc).flatMap(expressions)) {
      for (const [, name] of expr.matchAll(/(?<![\w.])var\.([A-Za-z_][\w-]*)/g)) {
        if (!mod.variables[name]) problem(file, `var.${name} is not declared`);
      }
      for (const [, name] of expr.matchAll(/(?<![\w.])local\.([A-Za-z_][\w-]*)/g)) {
        if (!mod.locals[name]) problem(file, `local.${name} is not declared`);
      }
      for (const [, name, output] of expr.matchAll(/(?<![\w.])module\.([A-Za-z_][\w-]*)(?:\.([A-Za-z_][\w-]*))?/g)) {
        const call = mod.modules[name];
        if (!call) { problem(file, `module.${name} is not declared`); continue; }
        const callee = modulesByDir.get(path.resolve(mod.dir, call.source));
        if (output && callee && !callee.outputs[output]) problem(file, `module.${name}.${output}: ${call.source} has no output ${output}`);
      }
      for (const [, type, name] of expr.matchAll(/(?<![\w.])data\.([a-z]\w*)\.([A-Za-z_][\w-]*)/g)) {
        if (!mod.data[`${type}.${name}`]) problem(file, `data.${type}.${name} is not declared`);
      }
      for (const [, type, name] of expr.matchAll(/(?<![\w.])((?:aws|random|tls)_\w+)\.([A-Za-z_][\w-]*)/g)) {
        if (!mod.resources[`${type}.${name}`]) problem(file, `${type}.${name} is not declared`);
      }
    }
  }
  for (const [name, call] of Object.entries(mod.modules)) {
    const callee = modulesByDir.get(path.resolve(mod.dir, call.source));
    if (!callee) { problem(call.file, `module ${name}: no module at ${call.source}`); continue; }
    for (const arg of Object.keys(call).filter((k) => !META_ARGS.has(k) && k !== "file")) {
      if (!callee.variables[arg]) problem(call.file, `module ${name} passes ${arg}, which ${call.source} does not declare`);
    }
    for (const [v, decl] of Object.entries(callee.variables)) {
      if (!("default" in decl) && !(v in call)) problem(call.file, `module ${name} does not pass the required ${v}`);
    }
  }
}

// --- 3. variables -----------------------------------------------------------------------------

const SECRET_NAME = /(password|passwd|secret|token|private_key|api_key|access_key)/i;
const SECRET_VALUE = /(-----BEGIN|AKIA[0-9A-Z]{16})/;

function checkVariables(mod) {
  for (const [name, v] of Object.entries(mod.variables)) {
    const where = `${v.file}: variable ${name}`;
    if (!v.type) problems.push(`${where} has no type`);
    if (!v.description || !String(v.description).trim()) problems.push(`${where} has no description`);
    if ("default" in v && v.default !== null && v.default !== "") {
      // Only a string can hold a secret (secret_recovery_days is a number).
      if (SECRET_NAME.test(name) && /string/.test(v.type)) problems.push(`${where} looks secret and has a default`);
      if (strings(v.default).some((s) => SECRET_VALUE.test(s))) problems.push(`${where} has a secret-looking default`);
    }
  }
}

// --- 4. instances and volumes -----------------------------------------------------------------

const first = (v) => (Array.isArray(v) ? v[0] : v) || {};

function checkInstances(mod) {
  for (const [addr, r] of Object.entries(mod.resources)) {
    const where = `${r.file}: ${addr}`;
    if (r.type === "aws_instance" || r.type === "aws_launch_template") {
      if (first(r.metadata_options).http_tokens !== "required") problems.push(`${where} does not require IMDSv2 (metadata_options.http_tokens = "required")`);
      const root = r.type === "aws_instance" ? first(r.root_block_device) : first(first(r.block_device_mappings).ebs);
      if (root.encrypted !== true) problems.push(`${where} has an unencrypted root volume`);
      for (const ebs of [].concat(r.ebs_block_device || [])) {
        if (ebs.encrypted !== true) problems.push(`${where} has an unencrypted ebs_block_device`);
      }
    }
    if (r.type === "aws_ebs_volume" && r.encrypted !== true) problems.push(`${where} is not encrypted`);
  }
}

// --- 5. security groups -----------------------------------------------------------------------

// group:port:source. Sources are other groups (sg:<name>) or the variable holding CIDRs.
const PORT_PLAN = [
  "zookeeper:2181:sg:broker", "zookeeper:2181:sg:admin",
  "zookeeper:2888:sg:zookeeper", "zookeeper:3888:sg:zookeeper",
  "broker:9092:sg:broker",
  "broker:9093:sg:admin", "broker:9093:var.client_cidrs",
];

function groupOf(expr) {
  const m = /aws_security_group\.(\w+)\.id/.exec(expr || "");
  return m && m[1];
}

function checkSecurityGroups(modules, rootMod) {
  const rootVariables = rootMod.variables;
  let metricsRules = 0;
  const rules = modules.flatMap((m) => Object.entries(m.resources).filter(([, r]) => r.type === "aws_vpc_security_group_ingress_rule"));
  if (!rules.length) { problems.push("no aws_vpc_security_group_ingress_rule found"); return; }
  const found = [];
  for (const [addr, r] of rules) {
    const where = `${r.file}: ${addr}`;
    if (r.from_port !== r.to_port) problems.push(`${where} opens a port range ${r.from_port}-${r.to_port}`);
    if (r.ip_protocol !== "tcp") problems.push(`${where} is not tcp`);
    if (r.cidr_ipv4 === "0.0.0.0/0" || r.cidr_ipv6 === "::/0") problems.push(`${where} is open to the internet`);
    if (r.from_port === 22) {
      // ssh: optional, off by default, only from the variable's CIDRs.
      if (!/var\.enable_ssh/.test(JSON.stringify(r.for_each || r.count || ""))) problems.push(`${where}: port 22 not conditional on var.enable_ssh`);
      if (!/var\.ssh_cidrs/.test(JSON.stringify(r.for_each || ""))) problems.push(`${where}: port 22 not limited to var.ssh_cidrs`);
      continue;
    }
    if (/var\.metrics_port/.test(String(r.from_port))) {
      // metrics.listener: optional, off by default (count 0 while monitoring_cidr is null),
      // on the brokers only, from monitoring_cidr only.
      metricsRules++;
      if (!/^\$\{var\.monitoring_cidr == null \? 0 : 1\}$/.test(String(r.count || ""))) problems.push(`${where}: metrics port not conditional on var.monitoring_cidr (count = var.monitoring_cidr == null ? 0 : 1)`);
      if (r.cidr_ipv4 !== "${var.monitoring_cidr}" || r.cidr_ipv6 || r.referenced_security_group_id || r.prefix_list_id) problems.push(`${where}: metrics port not limited to var.monitoring_cidr`);
      if (groupOf(r.security_group_id) !== "broker") problems.push(`${where}: metrics port opened on a group other than the brokers'`);
      continue;
    }
    const source = r.referenced_security_group_id
      ? `sg:${groupOf(r.referenced_security_group_id)}`
      : (/var\.\w+/.exec(JSON.stringify(r.for_each || "")) || [String(r.cidr_ipv4)])[0];
    found.push(`${groupOf(r.security_group_id)}:${r.from_port}:${source}`);
  }
  for (const want of PORT_PLAN) if (!found.includes(want)) problems.push(`security groups: missing ingress ${want}`);
  for (const got of found) if (!PORT_PLAN.includes(got)) problems.push(`security groups: ingress ${got} is not in the port plan`);
  const ssh = rootVariables.enable_ssh;
  if (!ssh || ssh.default !== false) problems.push("variable enable_ssh must exist with default false");
  if (metricsRules !== 1) problems.push(`security groups: ${metricsRules} rules open var.metrics_port (expected one, for var.monitoring_cidr)`);
  const monitoring = rootVariables.monitoring_cidr;
  if (!monitoring || monitoring.default !== null) problems.push("variable monitoring_cidr must exist with default null");
  const kafka = rootMod.modules.kafka || {};
  if (!/^\$\{var\.monitoring_cidr == null \? null : var\.metrics_port\}$/.test(String(kafka.metrics_port))) problems.push("module kafka: metrics_port must be var.monitoring_cidr == null ? null : var.metrics_port (no metrics.listener the security group does not open)");
}

// --- 6. templates -----------------------------------------------------------------------------

// The templatefile() calls in an expression: the path literal and the object of keys passed,
// as { key: expression text }.
function templateCalls(expr) {
  const calls = [];
  for (let at = expr.indexOf("templatefile("); at >= 0; at = expr.indexOf("templatefile(", at + 1)) {
    const m = /^templatefile\(\s*"((?:[^"\\]|\\.)*)"\s*,\s*\{/.exec(expr.slice(at));
    if (!m) { calls.push({ error: "templatefile() without a literal path and an object literal" }); continue; }
    const open = at + m[0].length;
    let depth = 1;
    let end = open;
    for (; end < expr.length && depth; end++) {
      if (expr[end] === '"') { for (end++; expr[end] !== '"'; end++) if (expr[end] === "\\") end++; }
      else if ("{[(".includes(expr[end])) depth++;
      else if ("}])".includes(expr[end])) depth--;
    }
    calls.push({ path: m[1], keys: objectKeys(expr.slice(open, end - 1)) });
  }
  return calls;
}

// Top-level `key = value` pairs of an HCL object body, values as text.
function objectKeys(body) {
  const keys = {};
  let depth = 0;
  let current = "";
  const flush = () => {
    const m = /^\s*([A-Za-z_][\w-]*)\s*=\s*([\s\S]*?)\s*,?\s*$/.exec(current);
    if (m) keys[m[1]] = m[2];
    current = "";
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '"') {
      let j = i + 1;
      for (; body[j] !== '"'; j++) if (body[j] === "\\") j++;
      current += body.slice(i, j + 1);
      i = j;
      continue;
    }
    if ("{[(".includes(c)) depth++;
    if ("}])".includes(c)) depth--;
    if ((c === "\n" || c === ",") && depth === 0) flush();
    else current += c;
  }
  flush();
  return keys;
}

// A test value for a key: the literal when one is passed, else a plausible placeholder.
function testValue(key, expr) {
  const literal = /^"((?:[^"\\$]|\\.)*)"$/.exec(expr);
  if (literal) return literal[1];
  if (/^-?\d+$/.test(expr)) return Number(expr);
  return `test-${key.replace(/_/g, "-")}`;
}

function checkTemplates(mod) {
  for (const { file, doc } of mod.files) {
    for (const s of strings(doc).filter((x) => x.includes("templatefile("))) {
      for (const call of templateCalls(s)) {
        if (call.error) { problem(file, call.error); continue; }
        const tpl = path.resolve(call.path.replace("${path.module}", mod.dir).replace("${path.root}", root));
        if (!fs.existsSync(tpl)) { problem(file, `template ${call.path} does not exist`); continue; }
        const src = fs.readFileSync(tpl, "utf8");
        let used;
        try { used = template.variables(src); } catch (e) { problem(tpl, e.message); continue; }
        for (const v of used) if (!(v in call.keys)) problem(file, `${path.basename(tpl)} uses ${v}, which is not passed`);
        for (const k of Object.keys(call.keys)) if (!used.has(k)) problem(file, `${path.basename(tpl)} is passed ${k}, which it does not use`);
        const scope = Object.fromEntries(Object.entries(call.keys).map(([k, e]) => [k, testValue(k, e)]));
        let rendered;
        try { rendered = template.render(src, scope); } catch (e) { problem(tpl, `does not render: ${e.message}`); continue; }
        const bash = spawnSync("bash", ["-n"], { input: rendered, encoding: "utf8" });
        if (bash.status !== 0) problem(file, `${path.basename(tpl)} renders into invalid bash: ${bash.stderr.trim()}`);
        else renderedCount++;
      }
    }
  }
}
let renderedCount = 0;

// --- 7. root outputs and the example ----------------------------------------------------------

async function checkRoot(rootMod) {
  for (const name of ["bootstrap_servers", "zookeeper_connect"]) {
    if (!rootMod.outputs[name]) problems.push(`root module has no output ${name}`);
  }
  const example = path.join(rootMod.dir, "terraform.tfvars.example");
  if (!fs.existsSync(example)) { problems.push(`${example} is missing`); return; }
  let values;
  try { values = await parseCached(example, fs.readFileSync(example, "utf8")); } catch (e) { problem(example, `does not parse: ${e}`); return; }
  for (const k of Object.keys(values)) if (!rootMod.variables[k]) problem(example, `sets ${k}, which is not a variable`);
  for (const [k, v] of Object.entries(rootMod.variables)) if (!("default" in v) && !(k in values)) problem(example, `does not set the required ${k}`);
}

// --- 8. terraform fmt -------------------------------------------------------------------------

function checkFormat(dir) {
  const env = { ...process.env, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: "/dev/null" };
  let bin;
  try { bin = execFileSync("sh", ["-c", "command -v terraform"], { encoding: "utf8" }).trim(); } catch { return "terraform not installed: fmt skipped"; }
  const r = spawnSync(bin, ["fmt", "-check", "-recursive", "-diff", dir], { encoding: "utf8", env, timeout: 60000 });
  if (r.status !== 0) problems.push(`terraform fmt -check -recursive fails:\n${r.stdout}${r.stderr}`);
  return "terraform fmt -check: ran";
}

// --- main -------------------------------------------------------------------------------------

let root;

// Problems found in one terraform directory, and a one-line summary.
async function checkDirectory(dir) {
  root = path.resolve(dir);
  problems = [];
  renderedCount = 0;
  const dirs = [root];
  const modulesDir = path.join(root, "modules");
  if (fs.existsSync(modulesDir)) for (const d of fs.readdirSync(modulesDir).sort()) dirs.push(path.join(modulesDir, d));
  const modules = [];
  for (const d of dirs) modules.push(await loadModule(d));
  const byDir = new Map(modules.map((m) => [path.resolve(m.dir), m]));
  for (const m of modules) {
    checkReferences(m, byDir);
    checkVariables(m);
    checkInstances(m);
    checkTemplates(m);
  }
  checkSecurityGroups(modules, modules[0]);
  await checkRoot(modules[0]);
  const fmt = checkFormat(root);
  if (renderedCount === 0) problems.push("no templatefile() call was rendered");
  const files = modules.reduce((n, m) => n + m.files.length, 0);
  return { problems, summary: `${files} files in ${modules.length} modules, ${renderedCount} user_data renderings pass bash -n; ${fmt}` };
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === "--each") {
    for (const dir of args.slice(1)) {
      const r = await checkDirectory(dir);
      console.log(`== ${dir}: ${r.problems.length} problem(s)`);
      for (const p of r.problems) console.log(`terraform check: ${p}`);
    }
    return;
  }
  const r = await checkDirectory(args[0] || path.join(__dirname, "../../terraform"));
  if (r.problems.length) {
    for (const p of r.problems) console.log(`terraform check: ${p}`);
    console.log(`terraform check: ${r.problems.length} problem(s)`);
    process.exit(1);
  }
  console.log(`terraform check: ${r.summary}`);
}

main().catch((e) => { console.error(e); process.exit(2); });
