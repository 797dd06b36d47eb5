"""The model a schema file is read into: version ranges, field types, fields, structs, messages.

Plain data with a few derived properties; schema_parser.py builds and validates it, the emit_*
modules turn it into C++. The primitive types carry their C++ and wire names (PRIMS), since
every emitter needs them.
"""

from __future__ import annotations

import dataclasses
import pathlib
import re

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
