#pragma once
// await_group: turns one of the GroupCoordinator's callback operations (join, sync, commit)
// into an awaitable for a handler coroutine. The coordinator calls back on any thread, often
// holding a group's lock; the callback only posts the result to the coroutine's executor, so
// the handler resumes on its own strand and never inside the coordinator.
//
//     auto result = co_await await_group<group::JoinGroupResult>(
//         [&](auto done) { coordinator.join_group(std::move(request), std::move(done)); });
//
// `start` runs before the coroutine suspends, so it may capture locals by reference.

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <utility>

namespace samsa::api {

template <typename Result, typename Start>
auto await_group(Start start) {
    auto init = [start = std::move(start)](auto handler) mutable {
        auto executor = boost::asio::get_associated_executor(handler);
        // std::function needs a copyable callable; the coroutine's handler is move-only.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        start([executor, shared](Result result) {
            boost::asio::post(executor, [shared, result = std::move(result)]() mutable {
                std::move (*shared)(std::move(result));
            });
        });
    };
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(Result)>(
        std::move(init), boost::asio::use_awaitable);
}

}  // namespace samsa::api
