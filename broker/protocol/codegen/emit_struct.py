"""The generated header <stem>.h: one C++ struct per message, with its nested structs, typed
members, defaults and the decode/encode declarations.
"""

from __future__ import annotations

from code_writer import Code, banner, comment_lines
from cpp_types import default_init, member_type
from schema_model import Field, Message, Struct, snake


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
