#pragma once
// The delayed half of the topic admin APIs (Kafka's DelayedCreatePartitions and
// DelayedDeleteTopics): wait, up to a timeout, until the controller's UpdateMetadata has
// brought this broker's metadata cache to the state a request asked for.

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <set>
#include <string>

namespace samsa::replica {
class MetadataCache;
struct MetadataSnapshot;
}  // namespace samsa::replica

namespace samsa::api {

using TopicDone = std::function<bool(const replica::MetadataSnapshot&, const std::string&)>;

// Waits until `done(snapshot, topic)` holds for every topic in `pending` or `timeout_ms` has
// passed; returns the topics still pending. Runs on the calling coroutine's executor.
boost::asio::awaitable<std::set<std::string>> await_metadata(replica::MetadataCache& cache,
                                                             std::set<std::string> pending,
                                                             int32_t timeout_ms, TopicDone done);

}  // namespace samsa::api
