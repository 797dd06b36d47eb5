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

The generator is split by responsibility; this file is only the command line:

  schema_model.py     versions, types, fields, structs, messages
  schema_parser.py    reading and validating a .schema file into that model
  cpp_types.py        C++ member types, defaults, literals and version conditions
  code_writer.py      the indented-lines builder and the generated-file banner
  emit_struct.py      <stem>.h (the message structs)
  emit_codec.py       <stem>.cc (decode/encode)
  emit_samples.py     testing/<stem>_sample.cc and testing/samples.h
  emit_api_table.py   api_table.h/.cc
"""

from __future__ import annotations

import argparse
import pathlib
import sys

# The sibling modules are imported from the source tree: keep __pycache__ out of it.
sys.dont_write_bytecode = True

from emit_api_table import gen_api_table  # noqa: E402
from emit_codec import gen_source  # noqa: E402
from emit_samples import gen_sample, gen_samples_header  # noqa: E402
from emit_struct import gen_header  # noqa: E402
from schema_model import SchemaError  # noqa: E402
from schema_parser import load_all, parse_schema  # noqa: E402


def write_if_changed(path: pathlib.Path, text: str) -> None:
    if path.exists() and path.read_text() == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


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
