#include "broker/api/handlers/await_metadata.h"

#include "broker/replica/metadata_cache.h"

#include <boost/asio/this_coro.hpp>

#include <algorithm>
#include <chrono>
#include <memory>

namespace samsa::api {

boost::asio::awaitable<std::set<std::string>> await_metadata(replica::MetadataCache& cache,
                                                             std::set<std::string> pending,
                                                             int32_t timeout_ms, TopicDone done) {
    auto waiter = std::make_shared<replica::Waiter>(co_await boost::asio::this_coro::executor);
    // Registered before the first look, so an update between the look and the wait wakes it.
    cache.watchers().add(waiter);
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(std::max(timeout_ms, 0));
    for (;;) {
        auto snapshot = cache.snapshot();
        std::erase_if(pending, [&](const std::string& t) { return done(*snapshot, t); });
        if (pending.empty() || !co_await waiter->wait_until(deadline)) {
            co_return pending;
        }
    }
}

}  // namespace samsa::api
