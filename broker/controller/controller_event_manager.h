#pragma once
// ControllerEventManager: the controller's single thread and its queue (Kafka's
// ControllerEventManager). Every controller action — ZooKeeper watch firings, broker and topic
// changes, elections, resignation — is an event processed here one at a time, so the
// ControllerContext needs no locks and ZooKeeper calls may block.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace samsa::controller {

class ControllerEventManager {
public:
    struct Event {
        std::string name;  // for logs ("BrokerChange", "TopicDeletion", ...)
        std::function<void()> process;
    };

    ControllerEventManager() = default;
    ~ControllerEventManager();
    ControllerEventManager(const ControllerEventManager&) = delete;
    ControllerEventManager& operator=(const ControllerEventManager&) = delete;

    void start();
    // Runs queued events up to `last`, then stops the thread. Idempotent.
    void shutdown(Event last);

    // Thread-safe.
    void put(Event event);
    // Drops every queued event, then queues `event` (Kafka's clearAndPut, used on expiry).
    void clear_and_put(Event event);

    bool on_event_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

private:
    void run();

    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Event> queue_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace samsa::controller
