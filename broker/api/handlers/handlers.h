#pragma once
// One handler per API, each in its own file (handlers/<api>.cc). A handler decodes its request
// from `body` (throwing DecodeError on malformed input, which closes the connection), does
// its work on the network thread that read the request — hopping to the I/O pool only for what
// may block for long (fsync, roll, log creation, ZooKeeper) — and returns the framed response.
// Per-partition and per-topic failures are error codes in the response, never exceptions.

#include "broker/api/request_context.h"
#include "broker/net/request_handler.h"
#include "broker/protocol/wire.h"

#include <boost/asio/awaitable.hpp>

namespace samsa::api {

using HandlerResult = boost::asio::awaitable<net::HandlerOutcome>;

HandlerResult handle_produce(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_fetch(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_list_offsets(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_metadata(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_find_coordinator(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_init_producer_id(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_join_group(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_sync_group(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_heartbeat(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_leave_group(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_offset_commit(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_offset_fetch(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_describe_groups(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_list_groups(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_delete_groups(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_offset_delete(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_leader_and_isr(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_stop_replica(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_update_metadata(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_controlled_shutdown(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_api_versions(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_create_topics(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_delete_topics(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_create_partitions(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_offset_for_leader_epoch(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_elect_leaders(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_alter_partition_reassignments(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_list_partition_reassignments(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_describe_acls(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_create_acls(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_delete_acls(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_sasl_handshake(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_sasl_authenticate(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_describe_user_scram_credentials(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_alter_user_scram_credentials(RequestContext& ctx, protocol::Reader& body);

// ApiVersions at a version above ours: a v0 body with UNSUPPORTED_VERSION and our ranges,
// under response header v0, whatever the request's version (Kafka's ApiVersionsRequest rule).
net::HandlerOutcome unsupported_api_versions_response(const RequestContext& ctx);

}  // namespace samsa::api
