"""The generated source <stem>.cc: decode/encode as one read_struct/write_struct pair per struct,
straight-line code with plain `if (version >= N)` checks.
"""

from __future__ import annotations

import re
from typing import Callable

from code_writer import Code, banner
from cpp_types import flex_cond, non_default_cond, null_cond, pick, qualified, version_cond
from schema_model import PRIMS, Field, Message, Struct, Type, Versions, versions_in


# ---- Min wire sizes (bounds the allocation for an array count read from the wire) -----------


def min_size(msg: Message, t: Type, version: int, flexible: bool) -> int:
    if t.is_array or t.name in ("string", "bytes", "records"):
        if flexible:
            return 1
        return 2 if t.name == "string" else 4
    if t.is_prim:
        return PRIMS[t.name].size
    return struct_min_size(msg, msg_struct(msg, t.name), version)


def struct_min_size(msg: Message, s: Struct, version: int) -> int:
    flexible = msg.flexible.contains(version)
    n = 1 if flexible else 0
    for f in s.fields:
        if f.regular_versions().contains(version):
            n += min_size(msg, f.type, version, flexible and not f.classic_only)
    return n


def msg_struct(msg: Message, name: str) -> Struct:
    return next(s for s in msg.structs if s.name == name)


def elem_min_size(msg: Message, f: Field, vr: Versions) -> int:
    e = f.type.elem
    return min(min_size(msg, e, v, msg.flexible.contains(v) and not f.classic_only)
               for v in versions_in(vr, msg.versions.hi))


# ---- Shared by the decoder and the encoder --------------------------------------------------


def struct_body(msg: Message, s: Struct, emit_field: Callable[[Code, Field, Versions, str], None],
                emit_tags: Callable[[Code, Message, Struct], None]) -> Code:
    """The body shared by read_struct and write_struct: each positional field under its version
    condition (`emit_field(body, field, versions, condition)`), then, in flexible versions, the
    tagged fields."""
    body = Code(1)
    for f in s.fields:
        vr = f.regular_versions().intersect(s.ctx)
        cond = version_cond(vr, s.ctx)
        if cond == "false":
            continue
        with body.guarded(cond):
            emit_field(body, f, vr, cond)
    tag_cond = flex_cond(msg, None, s.ctx)
    if tag_cond != "false":
        with body.guarded(tag_cond):
            emit_tags(body, msg, s)
    return body


def tagged_fields(s: Struct) -> list[Field]:
    """The fields of s that are tagged in some version s can be in, by tag."""
    return sorted((f for f in s.fields if not f.tagged_versions().intersect(s.ctx).empty),
                  key=lambda f: f.tag)


def where(msg: Message, struct: Struct, f: Field) -> str:
    owner = msg.name if struct is msg.root else f"{msg.name}.{struct.name}"
    return f"{owner}.{f.name}"


# ---- Decoder --------------------------------------------------------------------------------


def emit_read_value(c: Code, msg, struct, f: Field, vr: Versions, rd: str, target: str,
                    scoped: bool) -> None:
    """Reads field f (present: version in vr) from Reader `rd` into `target`. `scoped`: the
    caller already opened a block, so locals need no braces of their own."""
    t = f.type
    flex = flex_cond(msg, f, vr)
    what = where(msg, struct, f)
    if t.is_array:
        emit_read_array(c, msg, f, vr, rd, target, flex, what, scoped)
    elif t.is_struct:
        c(f"read_struct({rd}, version, {target});")
    elif t.name in ("string", "bytes"):
        w = t.name
        nonnull = pick(flex, f"{rd}.read_compact_{w}()", f"{rd}.read_{w}()")
        nullable = pick(flex, f"{rd}.read_compact_nullable_{w}()", f"{rd}.read_nullable_{w}()")
        nc = null_cond(f, vr)
        if nc == "false":
            c(f"{target} = {nonnull};")
        elif nc == "true":
            c(f"{target} = {nullable};")
        else:
            c.open(f"if ({nc})")
            c(f"{target} = {nullable};")
            c.close("} else {")
            c.level += 1
            c(f"{target} = {nonnull};")
            c.close()
    elif t.name == "records":
        c(f"{target} = {rd}.read_records({flex});")
        nc = null_cond(f, vr)
        if nc != "true":
            guard = f"{target}.is_null()" + ("" if nc == "false" else f" && !({nc})")
            c.open(f"if ({guard})")
            c(f'null_on_wire("{what}", version);')
            c.close()
    else:
        c(f"{target} = {rd}.read_{PRIMS[t.name].wire}();")


def emit_read_array(c: Code, msg, f: Field, vr, rd, target, flex, what, scoped) -> None:
    e = f.type.elem
    if not scoped:
        c.block()
    c(f"const int32_t n = {rd}.read_array_length({flex});")
    nc = null_cond(f, vr)
    c.open("if (n < 0)")
    if nc != "true":
        guard = "" if nc == "false" else f"if (!({nc})) "
        c(f'{guard}null_on_wire("{what}", version);')
    if f.is_optional:
        c(f"{target}.reset();")
    c.close("} else {")
    c.level += 1
    vec = f"{target}.emplace()" if f.is_optional else target
    c(f"auto& v = {vec};")
    size = elem_min_size(msg, f, vr)
    if size > 1:
        # read_array_length bounded n by the bytes left; each element takes at least `size`.
        c.open(f"if (static_cast<size_t>(n) > {rd}.remaining() / {size})")
        c(f'bad_count("{what}", n);')
        c.close()
    c("v.reserve(static_cast<size_t>(n));")
    c.open("for (int32_t i = 0; i < n; ++i)")
    if e.is_struct:
        c(f"read_struct({rd}, version, v.emplace_back());")
    elif e.name in ("string", "bytes"):
        c(f"v.push_back({pick(flex, f'{rd}.read_compact_{e.name}()', f'{rd}.read_{e.name}()')});")
    elif e.name == "records":
        c(f"v.push_back({rd}.read_records({flex}));")
    else:
        c(f"v.push_back({rd}.read_{PRIMS[e.name].wire}());")
    c.close()
    c.close()
    if not scoped:
        c.close()


def emit_read_struct(c: Code, msg: Message, s: Struct) -> None:
    def read_field(body: Code, f: Field, vr: Versions, cond: str) -> None:
        emit_read_value(body, msg, s, f, vr, "r", f"m.{f.member}", cond != "true")

    body = struct_body(msg, s, read_field, emit_read_tags)
    emit_function(c, body, f"void read_struct(Reader& r, int16_t version, {qualified(msg, s)}& m)",
                  msg)


def emit_read_tags(c: Code, msg: Message, s: Struct) -> None:
    tagged = tagged_fields(s)
    c("const uint32_t tag_count = r.read_unsigned_varint();")
    c.open("for (uint32_t i = 0; i < tag_count; ++i)")
    if not tagged:
        c("r.read_unsigned_varint();  // tag: this struct has none, so skip them all")
        c("r.skip(r.read_unsigned_varint());")
        c.close()
        return
    c("const uint32_t tag = r.read_unsigned_varint();")
    c("Reader t(r.read_raw(r.read_unsigned_varint()));")
    c.open("switch (tag)")
    for f in tagged:
        vr = f.tagged_versions().intersect(s.ctx)
        c(f"case {f.tag}:")
        c.level += 1
        cond = version_cond(vr, s.ctx.intersect(msg.flexible))
        with c.guarded(cond):
            emit_read_value(c, msg, s, f, vr, "t", f"m.{f.member}", cond != "true")
            c(f'expect_consumed(t, "{where(msg, s, f)}");')
        c("break;")
        c.level -= 1
    c("default:")
    c("    break;  // an unknown tag: skipped")
    c.close()
    c.close()


# ---- Encoder --------------------------------------------------------------------------------


def emit_write_value(c: Code, msg, struct, f: Field, vr: Versions, wr: str, x: str) -> None:
    t = f.type
    flex = flex_cond(msg, f, vr)
    what = where(msg, struct, f)
    nc = null_cond(f, vr)

    def null_check(is_null: str) -> None:
        if nc == "true":
            return
        guard = is_null + ("" if nc == "false" else f" && !({nc})")
        c.open(f"if ({guard})")
        c(f'null_in_version("{what}", version);')
        c.close()

    if t.is_array:
        if f.is_optional:
            null_check(f"!{x}")
            c.open(f"if (!{x})")
            c(f"{wr}.write_array_length(-1, {flex});")
            c.close("} else {")
            c.level += 1
            emit_write_elems(c, f, wr, f"(*{x})", flex)
            c.close()
        else:
            emit_write_elems(c, f, wr, x, flex)
    elif t.is_struct:
        c(f"write_struct({wr}, version, {x});")
    elif t.name in ("string", "bytes"):
        w = t.name
        if f.is_optional:
            null_check(f"!{x}")
            a, b = f"compact_nullable_{w}", f"nullable_{w}"
        else:
            a, b = f"compact_{w}", w
        emit_pick_call(c, flex, f"{wr}.write_{a}({x});", f"{wr}.write_{b}({x});")
    elif t.name == "records":
        null_check(f"{x}.is_null()")
        c(f"{wr}.write_records({x}, {flex});")
    else:
        c(f"{wr}.write_{PRIMS[t.name].wire}({x});")


def emit_pick_call(c: Code, flex: str, compact: str, classic: str) -> None:
    if flex == "true":
        c(compact)
    elif flex == "false":
        c(classic)
    else:
        c.open(f"if ({flex})")
        c(compact)
        c.close("} else {")
        c.level += 1
        c(classic)
        c.close()


def emit_write_elems(c: Code, f: Field, wr: str, vec: str, flex: str) -> None:
    e = f.type.elem
    c(f"{wr}.write_array_length(static_cast<int32_t>({vec}.size()), {flex});")
    c.open(f"for (const auto& e : {vec})")
    if e.is_struct:
        c(f"write_struct({wr}, version, e);")
    elif e.name in ("string", "bytes"):
        emit_pick_call(c, flex, f"{wr}.write_compact_{e.name}(e);", f"{wr}.write_{e.name}(e);")
    elif e.name == "records":
        c(f"{wr}.write_records(e, {flex});")
    else:
        c(f"{wr}.write_{PRIMS[e.name].wire}(e);")
    c.close()


def emit_write_struct(c: Code, msg: Message, s: Struct) -> None:
    def write_field(body: Code, f: Field, vr: Versions, cond: str) -> None:
        emit_write_value(body, msg, s, f, vr, "w", f"m.{f.member}")

    body = struct_body(msg, s, write_field, emit_write_tags)
    emit_function(c, body,
                  f"void write_struct(Writer& w, int16_t version, const {qualified(msg, s)}& m)",
                  msg)


def emit_write_tags(c: Code, msg: Message, s: Struct) -> None:
    tagged = tagged_fields(s)
    if not tagged:
        c("w.write_unsigned_varint(0);  // no tagged fields")
        return
    for f in tagged:
        vr = f.tagged_versions().intersect(s.ctx)
        cond = version_cond(vr, s.ctx.intersect(msg.flexible))
        nd = non_default_cond(f, f"m.{f.member}", "M")
        c(f"const bool has_{f.member} =")
        c(f"    {nd if cond == 'true' else f'({cond}) && {nd}'};")
    c("uint32_t tag_count = 0;")
    for f in tagged:
        c(f"tag_count += has_{f.member} ? 1 : 0;")
    c("w.write_unsigned_varint(tag_count);")
    for f in tagged:
        vr = f.tagged_versions().intersect(s.ctx)
        c.open(f"if (has_{f.member})")
        c("Writer t;")
        emit_write_value(c, msg, s, f, vr, "t", f"m.{f.member}")
        c(f"w.write_unsigned_varint({f.tag});")
        c("w.write_unsigned_varint(static_cast<uint32_t>(t.buffer().size()));")
        c("w.write_raw(t.buffer());")
        c.close()


# ---- The source file ------------------------------------------------------------------------


def emit_function(c: Code, body: Code, signature: str, msg: Message) -> None:
    """Emits a struct function, declaring `flexible` and naming parameters only if used."""
    text = body.text()
    uses_flexible = re.search(r"\bflexible\b", text) is not None
    uses_version = uses_flexible or re.search(r"\bversion\b", text) is not None
    for name in ("r", "w", "m"):
        if not re.search(rf"\b{name}\b", text):
            signature = re.sub(rf"([&] ?){name}\)|([&] ?){name},",
                               lambda mt: mt.group(0).replace(name, f"/*{name}*/"), signature)
    if not uses_version:
        signature = signature.replace("int16_t version", "int16_t /*version*/")
    c.open(signature)
    if uses_flexible:
        c(f"const bool flexible = version >= {msg.flexible_from};")
    c.lines.extend(body.lines)
    c.close()
    c()


SOURCE_HELPERS = """\
[[maybe_unused]] [[noreturn]] void null_on_wire(const char* what, int16_t version) {
    throw DecodeError(std::string(what) + ": null in v" + std::to_string(version) +
                      ", which does not allow it");
}

[[maybe_unused]] [[noreturn]] void null_in_version(const char* what, int16_t version) {
    throw std::logic_error(std::string(what) + ": cannot encode null in v" +
                           std::to_string(version));
}

[[noreturn]] void unknown_version_on_wire(int16_t version) {
    throw DecodeError(std::string(M::kName) + ": unsupported version " + std::to_string(version));
}

[[noreturn]] void unknown_version_to_encode(int16_t version) {
    throw std::logic_error(std::string(M::kName) + ": unsupported version " +
                           std::to_string(version));
}

[[maybe_unused]] [[noreturn]] void bad_count(const char* what, int32_t n) {
    throw DecodeError(std::string(what) + ": " + std::to_string(n) +
                      " elements cannot fit in the bytes left");
}

// A known tagged field must fill exactly the size its header announced.
[[maybe_unused]] void expect_consumed(const Reader& t, const char* what) {
    if (t.remaining() != 0) {
        throw DecodeError(std::string(what) + ": " + std::to_string(t.remaining()) +
                          " stray bytes in a tagged field");
    }
}
"""


def gen_source(msg: Message) -> str:
    c = Code()
    c(f'#include "broker/protocol/generated/{msg.stem}.h"')
    c()
    c(banner(msg.path).rstrip())
    c()
    c("#include <stdexcept>")
    c("#include <string>")
    c()
    c("namespace samsa::protocol {")
    c("namespace {")
    c()
    c(f"using M = {msg.cpp_name};")
    c()
    c.lines.extend(SOURCE_HELPERS.splitlines())
    c()
    for s in msg.structs + [msg.root]:
        emit_read_struct(c, msg, s)
        emit_write_struct(c, msg, s)
    c("}  // namespace")
    c()
    n = msg.cpp_name
    c.open(f"void {n}::decode(Reader& r, int16_t version)")
    c.open("if (version < kLowestVersion || version > kHighestVersion)")
    c("unknown_version_on_wire(version);")
    c.close()
    c(f"*this = {n}{{}};")
    c("read_struct(r, version, *this);")
    c.close()
    c()
    c.open(f"void {n}::encode(Writer& w, int16_t version) const")
    c.open("if (version < kLowestVersion || version > kHighestVersion)")
    c("unknown_version_to_encode(version);")
    c.close()
    c("write_struct(w, version, *this);")
    c.close()
    c()
    c("}  // namespace samsa::protocol")
    return c.text() + "\n"
