// ZooKeeperClient against a real server: connection, chroot, executors, watches, multi,
// server restarts and session expiry.

#include "zk/zookeeper_client.h"

#include "tests/integration/zk/raw_zookeeper.h"
#include "tests/integration/zk/zk_test_fixture.h"
#include "tests/support/thread_executor.h"
#include "tests/support/wait.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace samsa::zk {
namespace {

using namespace std::chrono_literals;
using test::eventually;
using test::ThreadExecutor;

class ZooKeeperClientTest : public test::ZkServerTest {};

// Records which callbacks ran, and on which thread.
struct Recorder {
    std::mutex mu;
    std::vector<std::string> events;
    std::vector<std::thread::id> threads;

    void add(std::string event) {
        std::lock_guard lock(mu);
        events.push_back(std::move(event));
        threads.push_back(std::this_thread::get_id());
    }
    bool has(const std::string& event) {
        std::lock_guard lock(mu);
        return std::find(events.begin(), events.end(), event) != events.end();
    }
    std::size_t size() {
        std::lock_guard lock(mu);
        return events.size();
    }
};

class DataHandler : public ZNodeChangeHandler {
  public:
    DataHandler(std::string path, Recorder& r) : ZNodeChangeHandler(std::move(path)), r_(r) {}
    void on_create() override { r_.add("create " + path()); }
    void on_delete() override { r_.add("delete " + path()); }
    void on_data_change() override { r_.add("change " + path()); }

  private:
    Recorder& r_;
};

class ChildHandler : public ZNodeChildChangeHandler {
  public:
    ChildHandler(std::string path, Recorder& r) : ZNodeChildChangeHandler(std::move(path)), r_(r) {}
    void on_child_change() override { r_.add("children " + path()); }

  private:
    Recorder& r_;
};

TEST(ZooKeeperClientConnectTest, TimesOutOnADeadPortAfterTheConnectionTimeout) {
    ZooKeeperClientOptions o;
    o.connect_string = "127.0.0.1:" + std::to_string(test::free_loopback_port());
    o.connection_timeout_ms = 1500;
    const auto start = std::chrono::steady_clock::now();
    auto client = ZooKeeperClient::connect(o);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(client);
    EXPECT_EQ(client.error(), Errc::connection_timeout);
    EXPECT_GE(elapsed, 1500ms);
    EXPECT_LT(elapsed, 4500ms);
}

TEST_F(ZooKeeperClientTest, CreatesTheChrootBeforeConnectingUnderIt) {
    auto client = connect(options("/samsa/cluster-a"));
    ASSERT_TRUE(client->create(CreateOp{"/x", std::string("1"), CreateMode::persistent, {}}));
    const auto raw = test::raw_get(server_->connect_string(), "/samsa/cluster-a/x");
    ASSERT_TRUE(raw);
    EXPECT_EQ(raw->data, "1");
    // The chroot itself has null data, like Kafka's.
    EXPECT_EQ(test::raw_get(server_->connect_string(), "/samsa/cluster-a")->data, "");
    // A second client on the same chroot finds it already there.
    auto again = connect(options("/samsa/cluster-a"));
    EXPECT_TRUE(again->exists("/x").value());
}

TEST_F(ZooKeeperClientTest, ReportsTheSessionTimeoutTheServerGranted) {
    auto o = options();
    o.session_timeout_ms = 4000;  // within [2, 20] ticks of 500 ms: granted as asked
    EXPECT_EQ(connect(o)->negotiated_session_timeout_ms(), 4000);
    o.session_timeout_ms = 200;  // below two ticks: raised to them
    EXPECT_EQ(connect(o)->negotiated_session_timeout_ms(), 1000);
}

TEST_F(ZooKeeperClientTest, AsyncCallbacksRunOnTheCallersExecutor) {
    auto o = options();
    o.max_in_flight_requests = 2;
    auto client = connect(o);
    ThreadExecutor executor;
    Recorder recorder;
    constexpr int kRequests = 200;
    for (int i = 0; i < kRequests; ++i) {
        client->async_create(
            CreateOp{"/n" + std::to_string(i), std::string("v"), CreateMode::persistent, {}},
            executor.executor(), [&recorder](CreateResponse r) {
                recorder.add(r.ec ? r.ec.message() : "ok " + r.name);
            });
    }
    ASSERT_TRUE(eventually([&] { return recorder.size() == kRequests; }, 30s))
        << recorder.size() << " callbacks";
    std::lock_guard lock(recorder.mu);
    for (std::size_t i = 0; i < recorder.events.size(); ++i) {
        EXPECT_EQ(recorder.events[i].rfind("ok /n", 0), 0u) << recorder.events[i];
        EXPECT_EQ(recorder.threads[i], executor.thread_id());
    }
}

TEST_F(ZooKeeperClientTest, InlineCallbacksKnowTheyRunOnTheCompletionThread) {
    auto client = connect();
    std::promise<bool> in_callback;
    client->async_exists("/", false, inline_executor(), [&](ExistsResponse) {
        in_callback.set_value(ZooKeeperClient::in_zookeeper_callback());
    });
    EXPECT_TRUE(in_callback.get_future().get());
    EXPECT_FALSE(ZooKeeperClient::in_zookeeper_callback());
}

TEST_F(ZooKeeperClientTest, WatchesAreDeliveredOnTheRegisteredExecutor) {
    auto client = connect();
    auto writer = connect();
    ThreadExecutor executor;
    Recorder recorder;
    client->register_znode_change_handler(std::make_shared<DataHandler>("/w", recorder),
                                          executor.executor());
    client->register_znode_child_change_handler(std::make_shared<ChildHandler>("/", recorder),
                                                executor.executor());

    ASSERT_FALSE(client->exists("/w", true).value());  // exists watch on a missing node
    ASSERT_TRUE(writer->create(CreateOp{"/w", std::string("1"), CreateMode::persistent, {}}));
    ASSERT_TRUE(eventually([&] { return recorder.has("create /w"); }, 10s));

    ASSERT_TRUE(client->get_data("/w", true));
    ASSERT_TRUE(writer->set_data(SetDataOp{"/w", std::string("2"), kMatchAnyVersion}));
    ASSERT_TRUE(eventually([&] { return recorder.has("change /w"); }, 10s));

    ASSERT_TRUE(client->get_children("/", true));
    ASSERT_TRUE(writer->create(CreateOp{"/other", std::nullopt, CreateMode::persistent, {}}));
    ASSERT_TRUE(eventually([&] { return recorder.has("children /"); }, 10s));

    ASSERT_TRUE(client->exists("/w", true));
    ASSERT_TRUE(writer->delete_node(DeleteOp{"/w", kMatchAnyVersion}));
    ASSERT_TRUE(eventually([&] { return recorder.has("delete /w"); }, 10s));

    std::lock_guard lock(recorder.mu);
    for (const auto& thread : recorder.threads) {
        EXPECT_EQ(thread, executor.thread_id());
    }
}

TEST_F(ZooKeeperClientTest, AWatchFlagWithoutAHandlerArmsNothing) {
    auto client = connect();
    auto writer = connect();
    ThreadExecutor executor;
    Recorder recorder;
    ASSERT_TRUE(writer->create(CreateOp{"/a", std::string("1"), CreateMode::persistent, {}}));
    ASSERT_TRUE(writer->create(CreateOp{"/b", std::string("1"), CreateMode::persistent, {}}));
    ASSERT_TRUE(client->get_data("/a", true));  // no handler for /a: not armed
    client->register_znode_change_handler(std::make_shared<DataHandler>("/a", recorder),
                                          executor.executor());
    client->register_znode_change_handler(std::make_shared<DataHandler>("/b", recorder),
                                          executor.executor());
    ASSERT_TRUE(client->get_data("/b", true));
    ASSERT_TRUE(writer->set_data(SetDataOp{"/a", std::string("2"), kMatchAnyVersion}));
    ASSERT_TRUE(writer->set_data(SetDataOp{"/b", std::string("2"), kMatchAnyVersion}));
    // ZooKeeper delivers a session's notifications in order: once /b's arrived, /a's would have.
    ASSERT_TRUE(eventually([&] { return recorder.has("change /b"); }, 10s));
    EXPECT_FALSE(recorder.has("change /a"));
}

TEST_F(ZooKeeperClientTest, MultiReportsEachOpsResult) {
    auto client = connect();
    ASSERT_TRUE(client->create(CreateOp{"/m", std::string("0"), CreateMode::persistent, {}}));

    MultiResponse failed = client->multi(
        {CheckOp{"/m", 5}, CreateOp{"/m/child", std::nullopt, CreateMode::persistent, {}}});
    EXPECT_EQ(failed.ec, Errc::bad_version);
    ASSERT_EQ(failed.results.size(), 2u);
    EXPECT_EQ(failed.results[0].ec, Errc::bad_version);
    EXPECT_EQ(failed.results[1].ec, Errc::runtime_inconsistency);
    EXPECT_FALSE(client->exists("/m/child").value());

    MultiResponse second_fails =
        client->multi({CheckOp{"/m", 0}, SetDataOp{"/m", std::string("x"), 7}});
    EXPECT_EQ(second_fails.ec, Errc::bad_version);
    EXPECT_FALSE(second_fails.results[0].ec);
    EXPECT_EQ(second_fails.results[1].ec, Errc::bad_version);

    MultiResponse ok =
        client->multi({CheckOp{"/m", 0},
                       CreateOp{"/m/seq-", std::string("s"), CreateMode::persistent_sequential, {}},
                       SetDataOp{"/m", std::string("1"), 0}});
    ASSERT_FALSE(ok.ec) << ok.ec.message();
    EXPECT_EQ(ok.results[1].created_path, "/m/seq-0000000000");
    EXPECT_EQ(ok.results[2].stat.version, 1);
}

TEST_F(ZooKeeperClientTest, ClosingCompletesEveryOutstandingRequest) {
    auto client = connect();
    ThreadExecutor executor;
    std::atomic<int> completed{0};
    for (int i = 0; i < 100; ++i) {
        client->async_get_data("/", false, executor.executor(), [&](GetDataResponse r) {
            if (!r.ec || r.ec == Errc::closing) {
                ++completed;
            }
        });
    }
    client.reset();
    EXPECT_TRUE(eventually([&] { return completed == 100; }, 10s)) << completed;
}

TEST_F(ZooKeeperClientTest, ReconnectsToTheSameSessionAfterAServerRestart) {
    auto o = options();
    o.session_timeout_ms = 40000;  // outlives the restart
    o.retry_timeout_ms = 60000;
    auto client = connect(o);
    ASSERT_TRUE(client->create(CreateOp{"/eph", std::nullopt, CreateMode::ephemeral, {}}));
    const int64_t session = client->session_id();

    server_->stop();
    ASSERT_TRUE(eventually([&] { return client->state() == ConnectionState::connecting; }, 10s));
    // A sync call made while the server is down waits for the reconnect and then succeeds.
    auto pending = std::async(std::launch::async, [&] { return client->exists("/eph"); });
    EXPECT_EQ(pending.wait_for(200ms), std::future_status::timeout);
    server_->start();

    auto exists = pending.get();
    ASSERT_TRUE(exists) << exists.error().message();
    EXPECT_TRUE(exists.value().has_value());
    EXPECT_EQ(client->state(), ConnectionState::connected);
    EXPECT_EQ(client->session_id(), session);
    EXPECT_EQ(client->previous_session_id(), 0);
}

class SessionRecorder : public StateChangeHandler {
  public:
    explicit SessionRecorder(Recorder& r) : StateChangeHandler("recorder"), r_(r) {}
    void before_initializing_session() override { r_.add("before"); }
    void after_initializing_session() override { r_.add("after"); }

  private:
    Recorder& r_;
};

TEST_F(ZooKeeperClientTest, SessionExpiryCreatesANewSessionBetweenTheStateHandlers) {
    auto client = connect();
    Recorder recorder;
    client->register_state_change_handler(std::make_shared<SessionRecorder>(recorder));
    ASSERT_TRUE(client->create(CreateOp{"/eph", std::nullopt, CreateMode::ephemeral, {}}));
    const int64_t old_session = client->session_id();

    test::expire_session(server_->connect_string(), client->session_credentials());
    ASSERT_TRUE(eventually([&] { return recorder.has("after"); }, 30s));
    {
        std::lock_guard lock(recorder.mu);
        EXPECT_EQ(recorder.events, (std::vector<std::string>{"before", "after"}));
    }
    EXPECT_EQ(client->state(), ConnectionState::connected);
    EXPECT_NE(client->session_id(), old_session);
    EXPECT_EQ(client->previous_session_id(), old_session);
    // The old session's ephemeral is gone; the new session works.
    EXPECT_FALSE(client->exists("/eph").value());
    EXPECT_TRUE(client->create(CreateOp{"/eph", std::nullopt, CreateMode::ephemeral, {}}));
}

}  // namespace
}  // namespace samsa::zk
