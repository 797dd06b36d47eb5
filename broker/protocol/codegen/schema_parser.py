"""Reads our schema format (broker/protocol/schema/README.md) into the model of schema_model.py.

parse_schema reads one file; load_all reads several and checks that message names are unique.
Every error is a SchemaError naming the file and line.
"""

from __future__ import annotations

import pathlib
import re

from cpp_types import default_init
from schema_model import (INT16_MAX, NULLABLE_TYPES, RESERVED_TYPE_NAMES, Field, Message,
                          SchemaError, Struct, Type, Versions, snake)

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


def load_all(paths: list[str]) -> list[Message]:
    msgs = [parse_schema(pathlib.Path(p)) for p in paths]
    names = {}
    for m in msgs:
        if m.name in names:
            raise SchemaError(f"{m.path}: {m.name} is also defined in {names[m.name]}")
        names[m.name] = m.path
    return sorted(msgs, key=lambda m: m.stem)
