#!/usr/bin/env python3
"""Generates the C++ message codecs of the Kafka protocol from our .schema files.

The schema format is described in broker/protocol/schema/README.md. Usage (run by CMake, see
Codegen.cmake; the output goes to the build tree only):

  gen_messages.py message --out-dir DIR SCHEMA      DIR/<stem>.h, DIR/<stem>.cc and
                                                    DIR/testing/<stem>_sample.cc
  gen_messages.py index --out-dir DIR SCHEMA...     DIR/api_table.h/.cc, DIR/testing/samples.h
  gen_messages.py check SCHEMA...                   parse and validate only

Generated code is straight-line: one read_struct/write_struct pair per struct with plain
`if (version >= N)` checks, no tables and no virtual calls, so the hot paths (Produce decode,
Fetch encode) cost what hand-written code would. Files are rewritten only when their content
changes, so touching the script does not recompile every codec.

Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import dataclasses
import pathlib
import re
import sys

INT16_MAX = 32767


class SchemaError(Exception):
    pass


# ---- Version ranges -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Versions:
    """An inclusive range of versions; hi None = open ended; lo None = the empty range."""

    lo: int | None
    hi: int | None = None

    @staticmethod
    def parse(text: str) -> "Versions":
        if text == "none":
            return NONE
        m = re.fullmatch(r"(\d+)(\+|-(\d+))?", text)
        if not m:
            raise SchemaError(f"bad version range '{text}' (want N, N+, N-M or none)")
        lo = int(m.group(1))
        if m.group(2) == "+":
            return Versions(lo, None)
        hi = int(m.group(3)) if m.group(3) is not None else lo
        if hi < lo:
            raise SchemaError(f"empty version range '{text}'")
        return Versions(lo, hi)

    @property
    def empty(self) -> bool:
        return self.lo is None

    def contains(self, v: int) -> bool:
        return not self.empty and v >= self.lo and (self.hi is None or v <= self.hi)

    def intersect(self, o: "Versions") -> "Versions":
        if self.empty or o.empty:
            return NONE
        lo = max(self.lo, o.lo)
        his = [h for h in (self.hi, o.hi) if h is not None]
        hi = min(his) if his else None
        if hi is not None and hi < lo:
            return NONE
        return Versions(lo, hi)

    def covers(self, o: "Versions") -> bool:
        """True when every version of `o` is in self."""
        return o.empty or self.intersect(o) == o

    def below(self, n: int) -> "Versions":
        """The part of self below version n."""
        return self.intersect(Versions(0, n - 1)) if n > 0 else NONE

    def __str__(self) -> str:
        if self.empty:
            return "none"
        if self.hi is None:
            return f"{self.lo}+"
        return str(self.lo) if self.lo == self.hi else f"{self.lo}-{self.hi}"


NONE = Versions(None, None)


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


def versions_in(ctx: Versions, highest: int) -> range:
    return range(ctx.lo, (ctx.hi if ctx.hi is not None else highest) + 1)


# ---- Types ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Prim:
    cpp: str  # C++ member type
    wire: str  # suffix of the Reader/Writer methods
    size: int  # fixed wire size, 0 for variable-length types
    lo: int = 0  # integer range, for defaults
    hi: int = 0


PRIMS = {
    "int8": Prim("int8_t", "int8", 1, -(2**7), 2**7 - 1),
    "int16": Prim("int16_t", "int16", 2, -(2**15), 2**15 - 1),
    "int32": Prim("int32_t", "int32", 4, -(2**31), 2**31 - 1),
    "int64": Prim("int64_t", "int64", 8, -(2**63), 2**63 - 1),
    "uint16": Prim("uint16_t", "uint16", 2, 0, 2**16 - 1),
    "float64": Prim("double", "float64", 8),
    "bool": Prim("bool", "bool", 1),
    "uuid": Prim("Uuid", "uuid", 16),
    "string": Prim("std::string", "string", 0),
    "bytes": Prim("std::vector<uint8_t>", "bytes", 0),
    "records": Prim("Records", "records", 0),
}
INT_TYPES = ("int8", "int16", "int32", "int64", "uint16")
NULLABLE_TYPES = ("string", "bytes", "records")
# Names the generated code uses unqualified inside a message struct.
RESERVED_TYPE_NAMES = {"ApiKey", "Records", "Uuid", "Reader", "Writer", "DecodeError", "FileSlice"}
CPP_KEYWORDS = set(
    """alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t
    char16_t char32_t class compl concept const consteval constexpr constinit const_cast
    continue co_await co_return co_yield decltype default delete do double dynamic_cast else
    enum explicit export extern false float for friend goto if inline int long mutable
    namespace new noexcept not not_eq nullptr operator or or_eq private protected public
    register reinterpret_cast requires return short signed sizeof static static_assert
    static_cast struct switch template this thread_local throw true try typedef typeid
    typename union unsigned using virtual void volatile wchar_t while xor xor_eq""".split()
)


@dataclasses.dataclass
class Type:
    name: str  # as written: "int32", "[]int32", "[]TopicData", "EpochEndOffset"

    @property
    def is_array(self) -> bool:
        return self.name.startswith("[]")

    @property
    def elem(self) -> "Type":
        assert self.is_array
        return Type(self.name[2:])

    @property
    def is_prim(self) -> bool:
        return self.name in PRIMS

    @property
    def is_struct(self) -> bool:
        return not self.is_array and not self.is_prim

    @property
    def struct_name(self) -> str | None:
        t = self.elem if self.is_array else self
        return t.name if t.is_struct else None


def snake(name: str) -> str:
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return s.lower()


# ---- Schema model ---------------------------------------------------------------------------


@dataclasses.dataclass(eq=False)
class Field:
    name: str
    type: Type
    versions: Versions
    nullable: Versions = NONE
    default: str | None = None  # raw text from the schema
    tag: int | None = None
    tagged: Versions = NONE
    classic_only: bool = False  # flexible=none: never compact, even in flexible versions
    comment: list[str] = dataclasses.field(default_factory=list)
    children: list["Field"] = dataclasses.field(default_factory=list)
    line: int = 0
    struct: "Struct | None" = None  # resolved struct of a struct or array-of-struct field
    ordinal: int = 0  # position in the message, for sample values

    @property
    def member(self) -> str:
        m = snake(self.name)
        return m + "_" if m in CPP_KEYWORDS else m

    @property
    def is_optional(self) -> bool:
        """Held in std::optional: nullable string/bytes/array (records has its own null)."""
        return not self.nullable.empty and self.type.name != "records"

    def regular_versions(self) -> Versions:
        """Versions in which the field is an ordinary positional field."""
        if self.tagged.empty:
            return self.versions
        return self.versions.below(self.tagged.lo)

    def tagged_versions(self) -> Versions:
        return self.versions.intersect(self.tagged)


@dataclasses.dataclass(eq=False)
class Struct:
    name: str  # C++ type name
    fields: list[Field]
    common: bool = False
    ctx: Versions = NONE  # versions in which read_struct/write_struct can run
    comment: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(eq=False)
class Message:
    kind: str  # request, response, header, data
    name: str  # ProduceRequest
    key: int | None
    versions: Versions
    flexible: Versions
    root: Struct
    structs: list[Struct]  # nested structs, dependencies first (root excluded)
    path: pathlib.Path
    comment: list[str]

    @property
    def cpp_name(self) -> str:
        return self.name + "Data"

    @property
    def stem(self) -> str:
        return snake(self.name)

    @property
    def api_name(self) -> str:
        return re.sub(r"(Request|Response)$", "", self.name)

    @property
    def flexible_from(self) -> int:
        return INT16_MAX if self.flexible.empty else self.flexible.lo


# ---- Parser ---------------------------------------------------------------------------------

TOKEN_RE = re.compile(r'\s*(?:(#.*)|((?:[^\s"#]|"(?:[^"\\]|\\.)*")+))')
IDENT_RE = re.compile(r"[A-Z][A-Za-z0-9]*")


def tokenize(line: str) -> tuple[list[str], str | None]:
    """Splits a line into tokens (double quotes keep spaces) and a trailing # comment."""
    tokens, pos = [], 0
    while pos < len(line):
        m = TOKEN_RE.match(line, pos)
        if not m or m.end() == pos:
            if line[pos:].strip() == "":
                break
            raise SchemaError(f"cannot parse near '{line[pos:]}'")
        if m.group(1) is not None:
            return tokens, m.group(1)[1:].strip()
        tokens.append(m.group(2))
        pos = m.end()
    return tokens, None


def parse_attrs(tokens: list[str], allowed: set[str]) -> dict[str, str]:
    attrs = {}
    for tok in tokens:
        key, eq, value = tok.partition("=")
        if not eq or key not in allowed:
            raise SchemaError(f"unexpected '{tok}' (allowed: {', '.join(sorted(allowed))})")
        if key in attrs:
            raise SchemaError(f"'{key}' given twice")
        attrs[key] = value
    return attrs


def parse_schema(path: pathlib.Path) -> Message:
    header = None
    commons: dict[str, Struct] = {}
    root_fields: list[Field] = []
    stack: list[tuple[int, list[Field]]] = []  # (indent, list that children go into)
    pending_comment: list[str] = []
    file_comment: list[str] = []
    for lineno, raw in enumerate(path.read_text().splitlines(), 1):
        try:
            if "\t" in raw:
                raise SchemaError("tabs are not allowed; indent with spaces")
            tokens, comment = tokenize(raw)
            if not tokens:
                if comment is not None:
                    (pending_comment if header else file_comment).append(comment)
                else:
                    pending_comment = []
                continue
            indent = len(raw) - len(raw.lstrip(" "))
            if indent == 0:
                kind = tokens[0]
                if kind == "struct":
                    if header is None:
                        raise SchemaError("the message line must come before any struct")
                    if len(tokens) != 2 or not IDENT_RE.fullmatch(tokens[1]):
                        raise SchemaError("want: struct <PascalCaseName>")
                    if tokens[1] in commons:
                        raise SchemaError(f"struct {tokens[1]} defined twice")
                    commons[tokens[1]] = Struct(tokens[1], [], common=True,
                                                comment=pending_comment)
                    stack = [(0, commons[tokens[1]].fields)]
                elif kind in ("request", "response", "header", "data"):
                    if header is not None:
                        raise SchemaError("one message per schema file")
                    if len(tokens) < 2 or not IDENT_RE.fullmatch(tokens[1]):
                        raise SchemaError(f"want: {kind} <PascalCaseName> ...")
                    attrs = parse_attrs(tokens[2:], {"key", "versions", "flexible"})
                    header = (kind, tokens[1], attrs, lineno)
                    stack = [(0, root_fields)]
                else:
                    raise SchemaError(f"unknown declaration '{kind}'")
                pending_comment = []
                continue
            if not stack:
                raise SchemaError("field outside of a message or struct")
            while stack[-1][0] >= indent:
                stack.pop()
            field = parse_field(tokens, lineno)
            field.comment = pending_comment + ([comment] if comment else [])
            pending_comment = []
            stack[-1][1].append(field)
            stack.append((indent, field.children))
        except SchemaError as e:
            raise SchemaError(f"{path}:{lineno}: {e}") from None
    if header is None:
        raise SchemaError(f"{path}: no message declaration")
    return build_message(path, header, root_fields, commons, file_comment)


def parse_field(tokens: list[str], lineno: int) -> Field:
    if len(tokens) < 3:
        raise SchemaError("want: <Name> <type> <versions> [attr=value...]")
    name, type_name, versions = tokens[:3]
    if not IDENT_RE.fullmatch(name):
        raise SchemaError(f"field name '{name}' is not PascalCase")
    t = Type(type_name)
    base = t.elem if t.is_array else t
    if base.is_array:
        raise SchemaError("arrays of arrays are not supported")
    if not base.is_prim and not IDENT_RE.fullmatch(base.name):
        raise SchemaError(f"unknown type '{type_name}'")
    attrs = parse_attrs(tokens[3:], {"nullable", "default", "tag", "tagged", "flexible"})
    f = Field(name, t, Versions.parse(versions), line=lineno)
    if f.versions.empty:
        raise SchemaError(f"field {name} is in no version")
    if "nullable" in attrs:
        f.nullable = Versions.parse(attrs["nullable"])
    f.default = attrs.get("default")
    if "tag" in attrs:
        if not attrs["tag"].isdigit():
            raise SchemaError("tag must be a non-negative integer")
        f.tag = int(attrs["tag"])
    if "tagged" in attrs:
        f.tagged = Versions.parse(attrs["tagged"])
    if "flexible" in attrs:
        if attrs["flexible"] != "none":
            raise SchemaError("a field can only say flexible=none")
        f.classic_only = True
    return f


def build_message(path, header, root_fields, commons, file_comment) -> Message:
    kind, name, attrs, lineno = header
    loc = f"{path}:{lineno}"
    for required in ("versions", "flexible"):
        if required not in attrs:
            raise SchemaError(f"{loc}: {name} needs {required}=")
    try:
        versions = Versions.parse(attrs["versions"])
        flexible = Versions.parse(attrs["flexible"])
    except SchemaError as e:
        raise SchemaError(f"{loc}: {e}") from None
    if versions.empty or versions.hi is None or versions.hi > INT16_MAX:
        raise SchemaError(f"{loc}: versions must be a closed range (N or N-M)")
    if not flexible.empty and flexible.hi is not None:
        raise SchemaError(f"{loc}: flexible must be N+ or none")
    key = None
    if kind in ("request", "response"):
        if "key" not in attrs or not attrs["key"].isdigit() or int(attrs["key"]) > INT16_MAX:
            raise SchemaError(f"{loc}: a {kind} needs key=<api key>")
        key = int(attrs["key"])
        if not name.endswith(kind.capitalize()):
            raise SchemaError(f"{loc}: a {kind} name must end in {kind.capitalize()}")
    elif "key" in attrs:
        raise SchemaError(f"{loc}: only requests and responses have an api key")
    if path.stem != snake(name):
        raise SchemaError(f"{loc}: file must be named {snake(name)}.schema")

    root = Struct(name + "Data", root_fields)
    root.ctx = versions
    msg = Message(kind, name, key, versions, flexible, root, [], path, file_comment)
    ordinal = iter(range(1, 1_000_000))
    seen: dict[str, Struct] = {}

    def resolve(struct: Struct) -> None:
        members, tags = set(), set()
        for f in struct.fields:
            f.ordinal = next(ordinal)
            try:
                validate_field(f, msg)
            except SchemaError as e:
                raise SchemaError(f"{path}:{f.line}: {f.name}: {e}") from None
            if f.member in members:
                raise SchemaError(f"{path}:{f.line}: two fields named {f.member} in {struct.name}")
            members.add(f.member)
            if f.tag is not None:
                if f.tag in tags:
                    raise SchemaError(f"{path}:{f.line}: tag {f.tag} used twice in {struct.name}")
                tags.add(f.tag)
            sname = f.type.struct_name
            if sname is None:
                if f.children:
                    raise SchemaError(f"{path}:{f.line}: {f.type.name} cannot have fields")
                continue
            if sname in RESERVED_TYPE_NAMES or sname == root.name:
                raise SchemaError(f"{path}:{f.line}: struct name {sname} is reserved")
            if f.children:
                if sname in commons or sname in seen:
                    raise SchemaError(f"{path}:{f.line}: struct {sname} defined twice")
                child = Struct(sname, f.children)
                child.ctx = f.versions.intersect(struct.ctx)
            elif sname in commons:
                child = commons[sname]
                child.ctx = versions
                f.struct = child
                if sname in seen:
                    continue
            else:
                raise SchemaError(f"{path}:{f.line}: struct {sname} has no fields and no "
                                  f"'struct {sname}' definition")
            f.struct = child
            seen[sname] = child
            resolve(child)
            msg.structs.append(child)  # after its own dependencies

    resolve(root)
    for cname in commons:
        if cname not in seen:
            raise SchemaError(f"{path}: struct {cname} is never used")
    return msg


def validate_field(f: Field, msg: Message) -> None:
    t = f.type
    if not f.nullable.empty:
        if not (t.is_array or t.name in NULLABLE_TYPES):
            raise SchemaError(f"type {t.name} cannot be nullable")
    if (f.tag is None) != f.tagged.empty:
        raise SchemaError("tag= and tagged= go together")
    if f.tag is not None:
        if f.tagged.hi is not None:
            raise SchemaError("tagged= must be N+")
        if msg.flexible.empty or not msg.flexible.covers(f.tagged):
            raise SchemaError("tagged versions must be flexible versions")
        if t.name == "records":
            raise SchemaError("records cannot be a tagged field")
        if f.classic_only:
            raise SchemaError("a tagged field cannot be flexible=none")
    if f.classic_only and not (t.name in ("string", "bytes", "records") or t.is_array):
        raise SchemaError("flexible=none only applies to strings, bytes, records and arrays")
    if f.default is not None:
        default_init(f)  # raises on a bad default


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


# ---- Code emission helpers ------------------------------------------------------------------


class Code:
    """Lines of C++ with indentation."""

    def __init__(self, indent: int = 0):
        self.lines: list[str] = []
        self.level = indent

    def __call__(self, text: str = "") -> None:
        self.lines.append(("    " * self.level + text) if text else "")

    def open(self, text: str) -> None:
        self(text + " {")
        self.level += 1

    def block(self) -> None:
        """Opens a bare { } block (to scope a local)."""
        self("{")
        self.level += 1

    def close(self, text: str = "}") -> None:
        self.level -= 1
        self(text)

    def guarded(self, cond: str):
        """Context manager: `if (cond) { ... }` unless cond is "true"."""
        code = self

        class Guard:
            def __enter__(self):
                if cond != "true":
                    code.open(f"if ({cond})")

            def __exit__(self, *exc):
                if cond != "true":
                    code.close()

        return Guard()

    def text(self) -> str:
        return "\n".join(self.lines)


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


def where(msg: Message, struct: Struct, f: Field) -> str:
    owner = msg.name if struct is msg.root else f"{msg.name}.{struct.name}"
    return f"{owner}.{f.name}"


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
    body = Code(1)
    for f in s.fields:
        vr = f.regular_versions().intersect(s.ctx)
        cond = version_cond(vr, s.ctx)
        if cond == "false":
            continue
        with body.guarded(cond):
            emit_read_value(body, msg, s, f, vr, "r", f"m.{f.member}", cond != "true")
    tag_cond = flex_cond(msg, None, s.ctx)
    if tag_cond != "false":
        with body.guarded(tag_cond):
            emit_read_tags(body, msg, s)
    emit_function(c, body, f"void read_struct(Reader& r, int16_t version, {qualified(msg, s)}& m)",
                  msg)


def emit_read_tags(c: Code, msg: Message, s: Struct) -> None:
    tagged = sorted((f for f in s.fields if not f.tagged_versions().intersect(s.ctx).empty),
                    key=lambda f: f.tag)
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
    body = Code(1)
    for f in s.fields:
        vr = f.regular_versions().intersect(s.ctx)
        cond = version_cond(vr, s.ctx)
        if cond == "false":
            continue
        with body.guarded(cond):
            emit_write_value(body, msg, s, f, vr, "w", f"m.{f.member}")
    tag_cond = flex_cond(msg, None, s.ctx)
    if tag_cond != "false":
        with body.guarded(tag_cond):
            emit_write_tags(body, msg, s)
    emit_function(c, body,
                  f"void write_struct(Writer& w, int16_t version, const {qualified(msg, s)}& m)",
                  msg)


def emit_write_tags(c: Code, msg: Message, s: Struct) -> None:
    tagged = sorted((f for f in s.fields if not f.tagged_versions().intersect(s.ctx).empty),
                    key=lambda f: f.tag)
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


def qualified(msg: Message, s: Struct) -> str:
    """The struct's type in generated .cc files, where `M` aliases the message type."""
    return "M" if s is msg.root else f"M::{s.name}"


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


# ---- Sample values (test support) -----------------------------------------------------------


def sample_scalar(f: Field, t: Type, salt: int = 0) -> str:
    """A C++ expression for a sample value of primitive type t (field f, or an element of it)
    that differs from the field's default; it depends on `variant` and `salt`."""
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
                f"{int_literal(neg, prim)})")
    if t.name == "bool":
        return "false" if f.default == "true" and not f.type.is_array else "true"
    if t.name == "float64":
        return f"(variant == 0 ? {k}.5 : -{k}.25)"
    if t.name == "string":
        return f'std::string(variant == 0 ? "s{k}" : "v1-s{k}")'
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


def banner(msg_path: pathlib.Path | None) -> str:
    src = f" from schema/{msg_path.name}" if msg_path else ""
    return f"// Generated by codegen/gen_messages.py{src}.\n// Do not edit: change the schema and rebuild.\n"


def comment_lines(c: Code, lines: list[str]) -> None:
    for line in lines:
        c(f"// {line}" if line else "//")


def member_note(f: Field) -> str:
    note = f"v{f.versions}"
    if not f.nullable.empty:
        note += f", nullable v{f.nullable}"
    if f.tag is not None:
        note += f", tag {f.tag} in v{f.tagged}"
    if f.classic_only:
        note += ", never compact"
    return note


def emit_struct_members(c: Code, s: Struct) -> None:
    for f in s.fields:
        decl = f"{member_type(f)} {f.member}{default_init(f)};"
        note = member_note(f)
        if len("    " * c.level + decl + "  // " + note) <= 100:
            comment_lines(c, f.comment)
            c(f"{decl}  // {note}")
        else:
            comment_lines(c, [note + ("." if f.comment else "")] + f.comment)
            c(decl)


def gen_header(msg: Message) -> str:
    c = Code()
    c("#pragma once")
    c(banner(msg.path).rstrip())
    c()
    for inc in ("<cstdint>", "<optional>", "<string>", "<vector>", ""):
        c(f"#include {inc}" if inc else "")
    c('#include "broker/protocol/api_key.h"')
    c('#include "broker/protocol/wire.h"')
    c()
    c("namespace samsa::protocol {")
    c()
    comment_lines(c, msg.comment + ([""] if msg.comment else []))
    flex = "never flexible" if msg.flexible.empty else f"flexible from v{msg.flexible.lo}"
    c(f"// {msg.kind} {msg.name}: versions {msg.versions}, {flex}.")
    c.open(f"struct {msg.cpp_name}")
    if msg.key is not None:
        c(f"static constexpr ApiKey kApiKey = ApiKey::{snake(msg.api_name)};")
    c(f'static constexpr std::string_view kName = "{msg.name}";')
    c(f"static constexpr int16_t kLowestVersion = {msg.versions.lo};")
    c(f"static constexpr int16_t kHighestVersion = {msg.versions.hi};")
    flex_from = "INT16_MAX" if msg.flexible.empty else str(msg.flexible.lo)
    c(f"static constexpr int16_t kFlexibleFrom = {flex_from};")
    c()
    for s in msg.structs:
        comment_lines(c, s.comment)
        c.open(f"struct {s.name}")
        emit_struct_members(c, s)
        c()
        c(f"bool operator==(const {s.name}&) const = default;")
        c.close("};")
        c()
    emit_struct_members(c, msg.root)
    c()
    c("// Reads a body of `version`. Throws DecodeError on malformed input or an unknown version.")
    c("// Records fields borrow from the Reader's buffer when the Reader has an owner.")
    c("void decode(Reader& r, int16_t version);")
    c("// Appends a body of `version`; fields absent from that version are not written. Throws")
    c("// std::logic_error for an unknown version or a null in a version that cannot carry it.")
    c("void encode(Writer& w, int16_t version) const;")
    c()
    c(f"bool operator==(const {msg.cpp_name}&) const = default;")
    c.close("};")
    c()
    c("}  // namespace samsa::protocol")
    return c.text() + "\n"


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
    c("// variant 1 sets them to null wherever `version` allows null.")
    c()
    c("#include <cstdint>")
    c("#include <tuple>")
    c()
    for m in msgs:
        c(f'#include "broker/protocol/generated/{m.stem}.h"')
    c()
    c("namespace samsa::protocol::samples {")
    c()
    c("inline constexpr int kVariants = 2;")
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


API_TABLE_H = """\
#pragma once
{banner}//
// The APIs we have schemas for: their version ranges and flexible-from versions, and which
// request/response header version goes with each API version.

#include <cstdint>
#include <span>
#include <string_view>

#include "broker/protocol/api_key.h"

namespace samsa::protocol {{

struct ApiInfo {{
    ApiKey key;
    std::string_view name;  // Kafka's name, "Produce"
    int16_t lowest_version;
    int16_t highest_version;
    int16_t flexible_from;  // INT16_MAX when no version is flexible
}};

// Every API with a request schema, ordered by key.
std::span<const ApiInfo> all_apis();

// The API with that key, or nullptr if we have no schema for it.
const ApiInfo* find_api(int16_t key);

// RequestHeader version of a request: 2 in flexible versions, else 1; 0 for ControlledShutdown
// v0, which predates the client id. An API without a schema gets 1.
int16_t request_header_version(ApiKey key, int16_t api_version);

// ResponseHeader version: 1 in flexible versions, else 0. ApiVersions always answers with v0
// (KIP-511): a client reads the response before it knows which versions the broker speaks.
int16_t response_header_version(ApiKey key, int16_t api_version);

}}  // namespace samsa::protocol
"""

API_TABLE_CC = """\
#include "broker/protocol/generated/api_table.h"

{banner}

#include <array>

namespace samsa::protocol {{
namespace {{

constexpr std::array<ApiInfo, {count}> kApis = {{{{
{rows}
}}}};

}}  // namespace

std::span<const ApiInfo> all_apis() {{ return kApis; }}

const ApiInfo* find_api(int16_t key) {{
    switch (key) {{
{cases}
        default:
            return nullptr;
    }}
}}

int16_t request_header_version(ApiKey key, int16_t api_version) {{
    if (key == ApiKey::controlled_shutdown && api_version == 0) {{
        return 0;
    }}
    const ApiInfo* api = find_api(static_cast<int16_t>(key));
    return api != nullptr && api_version >= api->flexible_from ? 2 : 1;
}}

int16_t response_header_version(ApiKey key, int16_t api_version) {{
    if (key == ApiKey::api_versions) {{
        return 0;
    }}
    const ApiInfo* api = find_api(static_cast<int16_t>(key));
    return api != nullptr && api_version >= api->flexible_from ? 1 : 0;
}}

}}  // namespace samsa::protocol
"""


def gen_api_table(msgs: list[Message]) -> tuple[str, str]:
    requests = sorted((m for m in msgs if m.kind == "request"), key=lambda m: m.key)
    responses = {m.key: m for m in msgs if m.kind == "response"}
    seen = {}
    for m in requests:
        if m.key in seen:
            raise SchemaError(f"api key {m.key} used by {seen[m.key]} and {m.name}")
        seen[m.key] = m.name
        resp = responses.get(m.key)
        if resp is None:
            raise SchemaError(f"{m.name} has no response schema with key={m.key}")
        if (resp.versions, resp.flexible, resp.api_name) != (m.versions, m.flexible, m.api_name):
            raise SchemaError(f"{m.name} and {resp.name} disagree on name or versions")
    for key, resp in responses.items():
        if key not in seen:
            raise SchemaError(f"{resp.name} has no request schema with key={key}")
    rows, cases = [], []
    for i, m in enumerate(requests):
        flex = "INT16_MAX" if m.flexible.empty else str(m.flexible.lo)
        rows.append(f'    ApiInfo{{ApiKey::{snake(m.api_name)}, "{m.api_name}", '
                    f"{m.versions.lo}, {m.versions.hi}, {flex}}},")
        cases.append(f"        case {m.key}:\n            return &kApis[{i}];")
    b = banner(None)
    header = API_TABLE_H.format(banner=b)
    source = API_TABLE_CC.format(banner=b.rstrip(), count=len(requests), rows="\n".join(rows),
                                 cases="\n".join(cases))
    return header, source


def write_if_changed(path: pathlib.Path, text: str) -> None:
    if path.exists() and path.read_text() == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def load_all(paths: list[str]) -> list[Message]:
    msgs = [parse_schema(pathlib.Path(p)) for p in paths]
    names = {}
    for m in msgs:
        if m.name in names:
            raise SchemaError(f"{m.path}: {m.name} is also defined in {names[m.name]}")
        names[m.name] = m.path
    return sorted(msgs, key=lambda m: m.stem)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=("message", "index", "check"))
    ap.add_argument("--out-dir", type=pathlib.Path)
    ap.add_argument("schemas", nargs="+")
    args = ap.parse_args(argv)
    try:
        if args.command == "check":
            gen_api_table(load_all(args.schemas))
            return 0
        if args.out_dir is None:
            ap.error("--out-dir is required")
        out = args.out_dir
        if args.command == "message":
            if len(args.schemas) != 1:
                ap.error("message takes one schema")
            msg = parse_schema(pathlib.Path(args.schemas[0]))
            write_if_changed(out / f"{msg.stem}.h", gen_header(msg))
            write_if_changed(out / f"{msg.stem}.cc", gen_source(msg))
            write_if_changed(out / "testing" / f"{msg.stem}_sample.cc", gen_sample(msg))
        else:
            msgs = load_all(args.schemas)
            header, source = gen_api_table(msgs)
            write_if_changed(out / "api_table.h", header)
            write_if_changed(out / "api_table.cc", source)
            write_if_changed(out / "testing" / "samples.h", gen_samples_header(msgs))
    except SchemaError as e:
        print(f"gen_messages.py: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
