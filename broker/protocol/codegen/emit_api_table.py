"""api_table.h/.cc: every API we have a request schema for, its version range and flexible-from
version, and the request/response header version of each API version. Also checks that requests
and responses pair up.
"""

from __future__ import annotations

from code_writer import banner
from schema_model import Message, SchemaError, snake


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
