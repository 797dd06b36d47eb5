"""How the model is spelled in C++: member types, default initialisers and literals, and the
conditions on `version` that the generated code tests.
"""

from __future__ import annotations

import re

from schema_model import INT_TYPES, PRIMS, Field, Message, Prim, SchemaError, Struct, Versions


# ---- C++ values -----------------------------------------------------------------------------


def cpp_string_literal(s: str) -> str:
    out = []
    for ch in s.encode():
        c = chr(ch)
        if c in '"\\':
            out.append("\\" + c)
        elif 32 <= ch < 127:
            out.append(c)
        else:
            out.append(f"\\{ch:03o}")
    return '"' + "".join(out) + '"'


def int_literal(value: int, prim: Prim) -> str:
    if value == prim.lo and prim.wire in ("int32", "int64"):
        return f"INT{prim.wire[3:]}_MIN"
    if prim.wire == "int64" and abs(value) > 2**31:
        return f"{value}LL"
    return str(value)


def parse_string_default(text: str) -> str:
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise SchemaError(f"string default {text} must be quoted (or null)")
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def member_type(f: Field) -> str:
    t = f.type
    if t.is_array:
        e = t.elem
        inner = PRIMS[e.name].cpp if e.is_prim else e.name
        cpp = f"std::vector<{inner}>"
    elif t.is_prim:
        cpp = PRIMS[t.name].cpp
    else:
        cpp = t.name
    return f"std::optional<{cpp}>" if f.is_optional else cpp


def default_init(f: Field) -> str:
    """The member initialiser (" = 0", "{std::in_place}", "") and validates the default."""
    t, d = f.type, f.default
    if d == "null" and f.nullable.empty:
        raise SchemaError("default=null needs nullable versions")
    if t.is_array or t.is_struct:
        if d not in (None, "null"):
            raise SchemaError(f"{t.name} can only default to null")
        if t.is_struct:
            return ""
        return "" if d == "null" or not f.is_optional else "{std::in_place}"
    prim = PRIMS[t.name]
    if t.name in INT_TYPES:
        try:
            value = int(d, 0) if d is not None else 0
        except ValueError:
            raise SchemaError(f"bad {t.name} default '{d}'") from None
        if not prim.lo <= value <= prim.hi:
            raise SchemaError(f"default {d} does not fit in {t.name}")
        return f" = {int_literal(value, prim)}"
    if t.name == "bool":
        if d not in (None, "true", "false"):
            raise SchemaError(f"bad bool default '{d}'")
        return f" = {d or 'false'}"
    if t.name == "float64":
        try:
            return f" = {float(d) if d is not None else 0.0!r}"
        except ValueError:
            raise SchemaError(f"bad float64 default '{d}'") from None
    if t.name == "uuid":
        if d is not None:
            raise SchemaError("uuid defaults are not supported (the default is all zeros)")
        return "{}"
    if t.name == "string":
        if d == "null":
            return ""
        value = parse_string_default(d) if d is not None else ""
        if f.is_optional:
            return "{std::in_place}" if value == "" else f"{{{cpp_string_literal(value)}}}"
        return "" if value == "" else f" = {cpp_string_literal(value)}"
    if t.name == "bytes":
        if d not in (None, "null"):
            raise SchemaError("bytes can only default to null")
        return "" if d == "null" or not f.is_optional else "{std::in_place}"
    if t.name == "records":
        if d not in (None, "null"):
            raise SchemaError("records can only default to null")
        return " = Records::null()" if not f.nullable.empty else ""
    raise AssertionError(t.name)


def non_default_cond(f: Field, x: str, scope: str) -> str:
    """C++ condition: member expression x differs from the field's default. `scope` qualifies
    nested struct names (the message type, or its alias)."""
    t, d = f.type, f.default
    if t.is_struct:
        return f"!({x} == {scope}::{t.name}{{}})"
    if t.is_array or t.name == "bytes":
        if not f.is_optional:
            return f"!{x}.empty()"
        return f"{x}.has_value()" if d == "null" else f"(!{x} || !{x}->empty())"
    if t.name == "string":
        if d == "null":
            return f"{x}.has_value()"
        value = parse_string_default(d) if d is not None else ""
        if f.is_optional:
            inner = f"!{x}->empty()" if value == "" else f"*{x} != {cpp_string_literal(value)}"
            return f"(!{x} || {inner})"
        return f"!{x}.empty()" if value == "" else f"{x} != {cpp_string_literal(value)}"
    if t.name == "uuid":
        return f"{x} != Uuid{{}}"
    init = default_init(f)
    return f"{x} != {init[3:]}"


# ---- C++ conditions -------------------------------------------------------------------------


def version_cond(vr: Versions, ctx: Versions) -> str:
    """A C++ condition on `version` that is true for the versions of `vr`, knowing that
    `version` is in `ctx`: "true", "false" or an expression."""
    inter = vr.intersect(ctx)
    if inter.empty:
        return "false"
    if vr.covers(ctx):
        return "true"
    need_lo = inter.lo > ctx.lo
    need_hi = inter.hi is not None and (ctx.hi is None or inter.hi < ctx.hi)
    if (need_lo or need_hi) and inter.lo == inter.hi:
        return f"version == {inter.lo}"
    parts = []
    if need_lo:
        parts.append(f"version >= {inter.lo}")
    if need_hi:
        parts.append(f"version <= {inter.hi}")
    return " && ".join(parts)


def pick(flex: str, compact: str, classic: str) -> str:
    if flex == "true":
        return compact
    if flex == "false":
        return classic
    return f"({flex} ? {compact} : {classic})"


def flex_cond(msg: Message, f: Field | None, vr: Versions) -> str:
    """Whether the compact encodings apply, as "true", "false" or "flexible"."""
    if f is not None and f.classic_only:
        return "false"
    c = version_cond(msg.flexible, vr)
    return c if c in ("true", "false") else "flexible"


def null_cond(f: Field, vr: Versions) -> str:
    return version_cond(f.nullable, vr)


def qualified(msg: Message, s: Struct) -> str:
    """The struct's type in generated .cc files, where `M` aliases the message type."""
    return "M" if s is msg.root else f"M::{s.name}"
