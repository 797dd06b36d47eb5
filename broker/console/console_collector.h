#pragma once
// Builds the console's ClusterView the way an operator's admin client would: through the
// broker's own Kafka listener, with the samsa-admin AdminClient. Metadata (brokers, racks,
// controller, partitions, ISR) from the broker serving the console; DescribeLogDirs at every
// live broker (sizes); ListOffsets at each leader (end offsets); ListGroups at every broker,
// then DescribeGroups and OffsetFetch at each group's coordinator (members, lag).
//
// A broker that does not answer costs only what it would have added (a warning is noted);
// only the first Metadata, to the console's own broker, must succeed.

#include "broker/console/cluster_view.h"
#include "common/result.h"
#include "tools/admin/admin_client.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace samsa::console {

// What the serving broker knows of itself and its peers without asking.
struct LocalKnowledge {
    int32_t broker_id = -1;
    std::optional<int64_t> up_since_ms;
    std::map<int32_t, std::vector<std::string>> endpoints;  // from its metadata cache
    std::map<int32_t, int64_t> registered_since;            // from ZooKeeper
};

// The view, or the error of the Metadata request to the console's own broker
// (std::errc::permission_denied: SASL authentication failed).
result<ClusterView> collect_cluster(admin::AdminClient& client, const LocalKnowledge& local,
                                    int64_t now_ms);

}  // namespace samsa::console
