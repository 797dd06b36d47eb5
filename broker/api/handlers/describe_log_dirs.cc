// DescribeLogDirs (Kafka's KafkaApis.handleDescribeLogDirsRequest + ReplicaManager.
// describeLogDirs): Describe on the cluster, else an empty answer; then per log dir of this
// broker the partitions it holds (all, or those asked for), with their size on disk, how far
// their log end is behind the high watermark, and is_future (always false: replicas are not
// moved between dirs here, there is no AlterReplicaLogDirs).

#include "auth/acl.h"
#include "broker/api/handlers/admin_handlers.h"
#include "broker/log/log.h"
#include "broker/net/run_on.h"
#include "broker/protocol/generated/describe_log_dirs_request.h"
#include "broker/protocol/generated/describe_log_dirs_response.h"
#include "broker/replica/metadata_cache.h"
#include "broker/replica/partition.h"
#include "broker/replica/replica_manager.h"
#include "broker/server/kafka_config.h"

#include <filesystem>
#include <map>
#include <set>

namespace samsa::api {

namespace {

using protocol::DescribeLogDirsRequestData;
using protocol::DescribeLogDirsResponseData;

// Log dirs as Kafka names them: absolute, without a trailing separator.
std::string canonical_dir(const std::string& dir) {
    auto p = std::filesystem::absolute(dir).lexically_normal();
    std::string s = p.string();
    while (s.size() > 1 && s.back() == '/') {
        s.pop_back();
    }
    return s;
}

bool wanted(const std::optional<std::set<TopicPartition>>& asked, const TopicPartition& tp) {
    return !asked || asked->contains(tp);
}

DescribeLogDirsResponseData describe(RequestContext& ctx,
                                     const std::optional<std::set<TopicPartition>>& asked) {
    DescribeLogDirsResponseData response;
    // dir -> topic -> partitions, so each dir lists its topics once.
    std::map<
        std::string,
        std::map<std::string, std::vector<DescribeLogDirsResponseData::DescribeLogDirsPartition>>>
        by_dir;
    for (const auto& dir : ctx.broker.config->log_dirs) {
        by_dir[canonical_dir(dir)];
    }
    // The partitions this broker hosts are among those the metadata names.
    auto& replicas = *ctx.broker.replica_manager;
    auto snapshot = ctx.broker.metadata_cache->snapshot();
    for (const auto& [topic, state] : snapshot->topics) {
        for (const auto& [index, partition_state] : state.partitions) {
            const TopicPartition tp{topic, index};
            auto partition = wanted(asked, tp) ? replicas.get_partition(tp) : nullptr;
            if (!partition) {
                continue;
            }
            const log::Log& log = *partition->log();
            DescribeLogDirsResponseData::DescribeLogDirsPartition p;
            p.partition_index = index;
            p.partition_size = log.size_in_bytes();
            // Kafka's getLogEndOffsetLag for a current replica.
            p.offset_lag = std::max<int64_t>(log.high_watermark() - log.log_end_offset(), 0);
            p.is_future_key = false;
            const std::string dir =
                canonical_dir(std::filesystem::path(log.dir()).parent_path().string());
            by_dir[dir][topic].push_back(p);
        }
    }
    for (auto& [dir, topics] : by_dir) {
        auto& result = response.results.emplace_back();
        result.log_dir = dir;
        for (auto& [name, partitions] : topics) {
            auto& t = result.topics.emplace_back();
            t.name = name;
            t.partitions = std::move(partitions);
        }
    }
    return response;
}

}  // namespace

HandlerResult handle_describe_log_dirs(RequestContext& ctx, protocol::Reader& body) {
    DescribeLogDirsRequestData request;
    request.decode(body, ctx.api_version);
    if (!ctx.authorize(auth::AclOperation::describe, auth::ResourceType::cluster,
                       auth::kClusterName)) {
        co_return ctx.respond(DescribeLogDirsResponseData{});
    }
    std::optional<std::set<TopicPartition>> asked;
    if (request.topics) {
        asked.emplace();
        for (const auto& t : *request.topics) {
            for (int32_t p : t.partition_index) {
                asked->insert(TopicPartition{t.topic, p});
            }
        }
    }
    // Sizes come from the segment files' metadata: cheap, but file-system work all the same.
    auto response = co_await net::run_on(ctx.broker.io_pool, [&] { return describe(ctx, asked); });
    co_return ctx.respond(response);
}

}  // namespace samsa::api
