// CompletionLatch: outcomes by index, completions from the waiter's thread and from others,
// and completions that all came before the wait.
#include "broker/replica/completion_latch.h"

#include <chrono>
#include <future>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

namespace samsa::replica {
namespace {

namespace asio = boost::asio;

const std::error_code kFailed = std::make_error_code(std::errc::io_error);

TEST(CompletionLatchTest, ResumesAfterTheLastCompletionWithEachOutcome) {
    asio::io_context io;
    auto latch = std::make_shared<CompletionLatch>(io.get_executor(), 3);
    auto fut = asio::co_spawn(io, latch->wait(), asio::use_future);
    asio::post(io, [&] {
        latch->complete(1, kFailed);
        latch->complete(0, {});
        EXPECT_EQ(fut.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
        latch->complete(2, {});
    });
    io.run();
    fut.get();
    EXPECT_FALSE(latch->outcome(0));
    EXPECT_EQ(latch->outcome(1), kFailed);
    EXPECT_FALSE(latch->outcome(2));
}

TEST(CompletionLatchTest, CompletionsFromAnotherThreadWakeTheWaiter) {
    asio::io_context io;
    auto work = asio::make_work_guard(io);
    auto latch = std::make_shared<CompletionLatch>(io.get_executor(), 2);
    auto fut = asio::co_spawn(io, latch->wait(), asio::use_future);
    std::thread runner([&] { io.run(); });
    std::thread completer([&] {
        latch->complete(0, {});
        latch->complete(1, kFailed);
    });
    completer.join();
    EXPECT_EQ(fut.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    work.reset();
    runner.join();
    EXPECT_EQ(latch->outcome(1), kFailed);
}

TEST(CompletionLatchTest, AWaitAfterEveryCompletionReturnsAtOnce) {
    asio::io_context io;
    auto latch = std::make_shared<CompletionLatch>(io.get_executor(), 1);
    latch->complete(0, kFailed);
    auto fut = asio::co_spawn(io, latch->wait(), asio::use_future);
    io.run();
    fut.get();
    EXPECT_EQ(latch->outcome(0), kFailed);
}

TEST(CompletionLatchTest, TheLastCompletionMayDropTheLastReference) {
    // A completion callback owns the latch; the waiter is gone: nothing dangles.
    asio::io_context io;
    auto latch = std::make_shared<CompletionLatch>(io.get_executor(), 1);
    std::function<void()> callback = [latch] { latch->complete(0, {}); };
    latch.reset();
    callback();
    callback = nullptr;
    io.run();
}

}  // namespace
}  // namespace samsa::replica
