#pragma once
// The admin handlers for configs, log dirs, records and the cluster (one file each, like the
// handlers in handlers.h, whose conventions they follow): DescribeConfigs, AlterConfigs,
// IncrementalAlterConfigs, DescribeLogDirs, DeleteRecords and DescribeCluster.

#include "broker/api/handlers/handlers.h"

namespace samsa::api {

HandlerResult handle_describe_configs(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_alter_configs(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_incremental_alter_configs(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_describe_log_dirs(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_delete_records(RequestContext& ctx, protocol::Reader& body);
HandlerResult handle_describe_cluster(RequestContext& ctx, protocol::Reader& body);

}  // namespace samsa::api
