// A renderer for the subset of Terraform's template language our user_data templates use, so the
// offline check can render them with test values and hand the result to `bash -n`:
//   ${name} ${name.attr} ${"literal"}      interpolation
//   %{ if a == "x" } ... %{ else } ... %{ endif }   (== and != against a string literal)
//   %{ for x in list } ... %{ endfor }
//   $${ and %%{                            literal ${ and %{
//   ~ after %{ or before }                 strips the whitespace (and newline) on that side
// Anything else is reported as unsupported rather than guessed at.
"use strict";

// Splits a template into text and directive/interpolation tokens, applying the ~ strip markers.
function tokenize(src) {
  const tokens = [];
  let i = 0;
  let text = "";
  const pushText = () => {
    if (text) tokens.push({ kind: "text", value: text });
    text = "";
  };
  while (i < src.length) {
    if (src.startsWith("$${", i) || src.startsWith("%%{", i)) {
      text += src[i + 1] + "{";
      i += 3;
      continue;
    }
    if ((src[i] === "$" || src[i] === "%") && src[i + 1] === "{") {
      const kind = src[i] === "$" ? "interp" : "directive";
      const end = closingBrace(src, i + 2);
      let body = src.slice(i + 2, end);
      let stripLeft = false;
      let stripRight = false;
      if (body.startsWith("~")) { stripLeft = true; body = body.slice(1); }
      if (body.endsWith("~")) { stripRight = true; body = body.slice(0, -1); }
      if (stripLeft) text = text.replace(/\s+$/, "");
      pushText();
      tokens.push({ kind, value: body.trim(), stripRight });
      i = end + 1;
      continue;
    }
    const last = tokens[tokens.length - 1];
    if (!text && last && last.stripRight && /\s/.test(src[i])) {
      i++;
      continue;
    }
    text += src[i++];
  }
  pushText();
  return tokens;
}

// Index of the } closing a ${ or %{ opened just before `from`, skipping quoted strings.
function closingBrace(src, from) {
  let depth = 1;
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (c === '"') {
      for (i++; i < src.length && src[i] !== '"'; i++) if (src[i] === "\\") i++;
    } else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  throw new Error("unclosed ${ or %{");
}

// Builds a tree of text, interpolations, if and for nodes.
function parse(tokens) {
  let pos = 0;
  function block(terminators) {
    const nodes = [];
    while (pos < tokens.length) {
      const t = tokens[pos];
      if (t.kind === "directive") {
        const word = t.value.split(/\s+/)[0];
        if (terminators.includes(word)) return nodes;
        pos++;
        if (word === "if") {
          const node = { kind: "if", cond: t.value.slice(2).trim(), then: block(["else", "endif"]), else: [] };
          if (tokens[pos] && tokens[pos].value === "else") {
            pos++;
            node.else = block(["endif"]);
          }
          expect("endif");
          nodes.push(node);
        } else if (word === "for") {
          const m = t.value.match(/^for\s+(\w+)\s+in\s+(.+)$/);
          if (!m) throw new Error(`unsupported for directive: %{${t.value}}`);
          nodes.push({ kind: "for", name: m[1], list: m[2].trim(), body: block(["endfor"]) });
          expect("endfor");
        } else {
          throw new Error(`unsupported directive: %{${t.value}}`);
        }
      } else {
        nodes.push(t);
        pos++;
      }
    }
    if (terminators.length) throw new Error(`missing %{ ${terminators.join(" or ")} }`);
    return nodes;
  }
  function expect(word) {
    if (!tokens[pos] || tokens[pos].value !== word) throw new Error(`missing %{ ${word} }`);
    pos++;
  }
  return block([]);
}

function evaluate(expr, scope) {
  let m = expr.match(/^"((?:[^"\\]|\\.)*)"$/);
  if (m) return m[1];
  m = expr.match(/^(.+?)\s*(==|!=)\s*(.+)$/);
  if (m) {
    const equal = String(evaluate(m[1], scope)) === String(evaluate(m[3], scope));
    return m[2] === "==" ? equal : !equal;
  }
  if (/^-?\d+$/.test(expr)) return Number(expr);
  if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/.test(expr)) {
    throw new Error(`unsupported expression: ${expr}`);
  }
  const [head, ...path] = expr.split(".");
  if (!(head in scope)) throw new Error(`template variable not passed: ${head}`);
  return path.reduce((v, k) => v[k], scope[head]);
}

function renderNodes(nodes, scope) {
  let out = "";
  for (const n of nodes) {
    if (n.kind === "text") out += n.value;
    else if (n.kind === "interp") out += String(evaluate(n.value, scope));
    else if (n.kind === "if") out += renderNodes(evaluate(n.cond, scope) ? n.then : n.else, scope);
    else if (n.kind === "for") {
      for (const item of evaluate(n.list, scope)) {
        out += renderNodes(n.body, { ...scope, [n.name]: item });
      }
    }
  }
  return out;
}

// The names a template reads from the variables passed to templatefile (loop names excluded).
function variables(src) {
  const names = new Set();
  function walk(nodes, bound) {
    for (const n of nodes) {
      const exprs = n.kind === "interp" ? [n.value] : n.kind === "if" ? [n.cond] : n.kind === "for" ? [n.list] : [];
      for (const e of exprs) {
        const noStrings = e.replace(/"(?:[^"\\]|\\.)*"/g, "");
        for (const m of noStrings.matchAll(/(?<![\w.])([A-Za-z_]\w*)/g)) {
          if (!bound.has(m[1])) names.add(m[1]);
        }
      }
      if (n.kind === "if") { walk(n.then, bound); walk(n.else, bound); }
      if (n.kind === "for") walk(n.body, new Set([...bound, n.name]));
    }
  }
  walk(parse(tokenize(src)), new Set());
  return names;
}

function render(src, scope) {
  return renderNodes(parse(tokenize(src)), scope);
}

module.exports = { render, variables };
