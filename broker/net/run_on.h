#pragma once
// run_on: from a coroutine, run a plain function on another executor and resume with its
// value on the coroutine's own executor. This is how request handlers, which run on the
// network threads, reach storage and ZooKeeper work without blocking a network thread:
//
//     auto info = co_await net::run_on(io_pool, [&] { return log.read(...); });
//
// Capturing locals by reference is safe here: the calling coroutine stays suspended (its frame
// alive) until the function has returned. The function must not throw (errors are values).

#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <type_traits>
#include <utility>

namespace samsa::net {

template <typename Executor, typename F>
requires(!std::is_void_v<std::invoke_result_t<F&>>) auto run_on(Executor ex, F f) {
    using T = std::invoke_result_t<F&>;
    auto init = [ex, f = std::move(f)](auto handler) mutable {
        boost::asio::post(ex, [f = std::move(f), handler = std::move(handler)]() mutable {
            T value = f();
            auto home = boost::asio::get_associated_executor(handler);
            boost::asio::dispatch(
                home, [handler = std::move(handler), value = std::move(value)]() mutable {
                    std::move(handler)(std::move(value));
                });
        });
    };
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(T)>(
        std::move(init), boost::asio::use_awaitable);
}

template <typename Executor, typename F>
requires std::is_void_v<std::invoke_result_t<F&>>
auto run_on(Executor ex, F f) {
    auto init = [ex, f = std::move(f)](auto handler) mutable {
        boost::asio::post(ex, [f = std::move(f), handler = std::move(handler)]() mutable {
            f();
            auto home = boost::asio::get_associated_executor(handler);
            boost::asio::dispatch(home, std::move(handler));
        });
    };
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void()>(
        std::move(init), boost::asio::use_awaitable);
}

}  // namespace samsa::net
