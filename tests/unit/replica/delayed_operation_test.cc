#include "broker/replica/delayed_operation.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

namespace samsa::replica {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

TEST(WaiterTest, TimesOutWhenNobodyNotifies) {
    asio::io_context io;
    auto waiter = std::make_shared<Waiter>(io.get_executor());
    auto start = std::chrono::steady_clock::now();
    auto fut = asio::co_spawn(io, waiter->wait_until(start + 50ms), asio::use_future);
    io.run();
    EXPECT_FALSE(fut.get());
    EXPECT_GE(std::chrono::steady_clock::now() - start, 50ms);
}

TEST(WaiterTest, NotifyBeforeWaitIsNotLost) {
    asio::io_context io;
    auto waiter = std::make_shared<Waiter>(io.get_executor());
    WatchList list;
    list.add(waiter);
    list.notify_all();
    auto fut = asio::co_spawn(io, waiter->wait_until(std::chrono::steady_clock::now() + 10s),
                              asio::use_future);
    auto start = std::chrono::steady_clock::now();
    io.run();
    EXPECT_TRUE(fut.get());
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(WaiterTest, NotifyFromAnotherThreadWakesThePendingWait) {
    asio::io_context io;
    auto waiter = std::make_shared<Waiter>(io.get_executor());
    WatchList list;
    list.add(waiter);
    auto fut = asio::co_spawn(io, waiter->wait_until(std::chrono::steady_clock::now() + 10s),
                              asio::use_future);
    std::thread notifier([&] {
        std::this_thread::sleep_for(20ms);
        list.notify_all();
    });
    auto start = std::chrono::steady_clock::now();
    io.run();
    notifier.join();
    EXPECT_TRUE(fut.get());
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(WaiterTest, DeadWaitersArePrunedAndNotNotified) {
    WatchList list;
    {
        asio::io_context io;
        list.add(std::make_shared<Waiter>(io.get_executor()));
    }
    asio::io_context io;
    auto live = std::make_shared<Waiter>(io.get_executor());
    list.add(live);  // prunes the dead one
    EXPECT_EQ(list.size(), 1u);
    list.notify_all();
    auto fut = asio::co_spawn(io, live->wait_until(std::chrono::steady_clock::now() + 10s),
                              asio::use_future);
    io.run();
    EXPECT_TRUE(fut.get());
}

}  // namespace
}  // namespace samsa::replica
