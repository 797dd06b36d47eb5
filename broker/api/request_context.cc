#include "broker/api/request_context.h"

#include "broker/protocol/generated/api_table.h"
#include "broker/protocol/generated/response_header.h"

namespace samsa::api {

void RequestContext::begin_response(protocol::Writer& w) const {
    w.write_int32(0);
    protocol::ResponseHeaderData header;
    header.correlation_id = correlation_id;
    header.encode(w, protocol::response_header_version(api_key, api_version));
}

void RequestContext::finish_response(protocol::Writer& w) {
    w.patch_int32(0, static_cast<int32_t>(w.total_size() - 4));
}

}  // namespace samsa::api
