"""Test support: testing/<stem>_sample.cc (fill_sample for one message) and testing/samples.h
(the declarations and the list of every message type, for typed tests).
"""

from __future__ import annotations

import re

from code_writer import Code, banner
from cpp_types import int_literal, null_cond, qualified, version_cond
from schema_model import INT_TYPES, PRIMS, Field, Message, Struct, Type, Versions


# ---- Sample values --------------------------------------------------------------------------


def sample_scalar(f: Field, t: Type, salt: int = 0) -> str:
    """A C++ expression for a sample value of primitive type t (field f, or an element of it);
    it depends on `variant` and `salt`. Variant 0 differs from the field's default; 2 and 3 are
    the type's extremes."""
    k = f.ordinal + salt
    if t.name in INT_TYPES:
        prim = PRIMS[t.name]
        base = {"int8": 10 + k % 100, "int16": 300 + k, "int32": 70000 + k,
                "int64": 5_000_000_000 + k, "uint16": 40000 + k}[t.name]
        default = int(f.default, 0) if f.default is not None and not f.type.is_array else 0
        pos, neg = base, (-base if prim.lo < 0 else base + 1)
        if pos == default:
            pos += 1
        if neg == default:
            neg += 1
        return (f"static_cast<{prim.cpp}>(variant == 0 ? {int_literal(pos, prim)} : "
                f"variant == 1 ? {int_literal(neg, prim)} : "
                f"variant == 2 ? {int_literal(prim.hi, prim)} : {int_literal(prim.lo, prim)})")
    if t.name == "bool":
        return "false" if f.default == "true" and not f.type.is_array else "true"
    if t.name == "float64":
        return f"(variant == 0 ? {k}.5 : variant == 1 ? -{k}.25 : variant == 2 ? 1e308 : -1e308)"
    if t.name == "string":
        return (f'std::string(variant == 0 ? "s{k}" : variant == 1 ? "v1-s{k}" : '
                f'variant == 2 ? "" : "s{k}")')
    if t.name == "bytes":
        return f"std::vector<uint8_t>{{{k % 256}, 0, 255}}"
    if t.name == "records":
        return f"sample_records({k})"
    if t.name == "uuid":
        return f"sample_uuid({k})"
    raise AssertionError(t.name)


def emit_fill_value(c: Code, msg: Message, f: Field, vr: Versions, x: str) -> None:
    t = f.type
    nc = null_cond(f, vr)
    if nc != "false":
        null_value = "Records::null()" if t.name == "records" else "std::nullopt"
        c.open(f"if (variant == 1{'' if nc == 'true' else f' && ({nc})'})")
        c(f"{x} = {null_value};")
        c.close("} else {")
        c.level += 1
    if t.is_array:
        c(f"auto& v = {x}{'.emplace()' if f.is_optional else ''};")
        c("v.clear();")
        if t.elem.is_struct:
            c.open("for (int i = 0; i < 2; ++i)")
            c("fill(v.emplace_back(), version, variant);")
            c.close()
        else:
            c(f"v.push_back({sample_scalar(f, t.elem)});")
            c(f"v.push_back({sample_scalar(f, t.elem, salt=50)});")
    elif t.is_struct:
        c(f"fill({x}, version, variant);")
    else:
        c(f"{x} = {sample_scalar(f, t)};")
    if nc != "false":
        c.close()


def emit_fill_struct(c: Code, msg: Message, s: Struct, public: bool) -> None:
    body = Code(1)
    for f in s.fields:
        vr = f.versions.intersect(s.ctx)
        cond = version_cond(vr, s.ctx)
        if cond == "false":
            continue
        # An array fills through a local reference, which needs a scope of its own.
        scope = f.type.is_array and cond == "true" and null_cond(f, vr) == "false"
        with body.guarded(cond):
            if scope:
                body.block()
            emit_fill_value(body, msg, f, vr, f"m.{f.member}")
            if scope:
                body.close()
    name = "fill_sample" if public else "fill"
    type_name = msg.cpp_name if public else qualified(msg, s)
    sig = f"void {name}({type_name}& m, int16_t version, int variant)"
    text = body.text()
    if not re.search(r"\bversion\b", text):
        sig = sig.replace("int16_t version", "int16_t /*version*/")
    if not re.search(r"\bvariant\b", text):
        sig = sig.replace("int variant", "int /*variant*/")
    if not re.search(r"\bm\b", text):
        sig = sig.replace("& m,", "& /*m*/,")
    c.open(sig)
    c.lines.extend(body.lines)
    c.close()
    c()


# ---- Files ----------------------------------------------------------------------------------


SAMPLE_HELPERS = """\
[[maybe_unused]] Records sample_records(int k) {
    // Not a valid RecordBatch: the codec never looks inside records.
    const uint8_t bytes[] = {0, 0, 0, 0, 0, 0, 0, static_cast<uint8_t>(k), 0xde, 0xad, 0xbe, 0xef};
    return Records::copy_of(bytes);
}

[[maybe_unused]] Uuid sample_uuid(int k) {
    Uuid u{};
    for (size_t i = 0; i < u.size(); ++i) {
        u[i] = static_cast<uint8_t>(k + static_cast<int>(i));
    }
    return u;
}
"""


def gen_sample(msg: Message) -> str:
    c = Code()
    c('#include "broker/protocol/generated/testing/samples.h"')
    c()
    c(banner(msg.path).rstrip())
    c()
    c("namespace samsa::protocol::samples {")
    c("namespace {")
    c()
    c(f"using M = {msg.cpp_name};")
    c()
    c.lines.extend(SAMPLE_HELPERS.splitlines())
    c()
    for s in msg.structs:
        emit_fill_struct(c, msg, s, public=False)
    c("}  // namespace")
    c()
    emit_fill_struct(c, msg, msg.root, public=True)
    c("}  // namespace samsa::protocol::samples")
    return c.text() + "\n"


def gen_samples_header(msgs: list[Message]) -> str:
    c = Code()
    c("#pragma once")
    c(banner(None).rstrip())
    c("//")
    c("// Test support: fill_sample() sets every field that exists in `version` to a value other")
    c("// than its default (arrays get two elements). Variant 0 fills nullable fields with values,")
    c("// variant 1 sets them to null wherever `version` allows null. Variants 2 and 3 are the")
    c("// extremes: every integer at its type's maximum (2) or minimum (3), strings empty (2).")
    c()
    c("#include <cstdint>")
    c("#include <tuple>")
    c()
    for m in msgs:
        c(f'#include "broker/protocol/generated/{m.stem}.h"')
    c()
    c("namespace samsa::protocol::samples {")
    c()
    c("inline constexpr int kVariants = 4;")
    c()
    for m in msgs:
        c(f"void fill_sample({m.cpp_name}& m, int16_t version, int variant);")
    c()
    c("// Every generated message type, for typed tests.")
    c("using AllMessages = std::tuple<")
    for i, m in enumerate(msgs):
        c(f"    {m.cpp_name}{',' if i + 1 < len(msgs) else '>;'}")
    c()
    c("}  // namespace samsa::protocol::samples")
    return c.text() + "\n"
