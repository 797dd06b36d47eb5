#pragma once
// ControllerEventManager: the controller's single thread and its queue (Kafka's
// ControllerEventManager). Every controller action — ZooKeeper watch firings, broker and topic
// changes, elections, resignation — is an event processed here one at a time, so the
// ControllerContext needs no locks and ZooKeeper calls may block. Events may also be scheduled
// for later (Kafka's KafkaScheduler task that puts AutoPreferredReplicaLeaderElection).

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
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

    // Runs after every event, on the event thread (the controller's metrics). Before start().
    void set_after_each(std::function<void()> after) { after_each_ = std::move(after); }

    void start();
    // Runs queued events up to `last`, then stops the thread. Idempotent.
    void shutdown(Event last);

    // Thread-safe.
    void put(Event event);
    // Drops every queued event, then queues `event` (Kafka's clearAndPut, used on expiry).
    void clear_and_put(Event event);
    // Queues `event` once `delay` has passed. Scheduled events survive clear_and_put (the
    // event itself checks whether it still applies) and are dropped at shutdown.
    void schedule(std::chrono::milliseconds delay, Event event);

    bool on_event_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

  private:
    void run();
    // Moves the scheduled events that are due to the queue. Called with mu_ held.
    void queue_due_events(std::chrono::steady_clock::time_point now);

    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Event> queue_;
    std::multimap<std::chrono::steady_clock::time_point, Event> scheduled_;
    bool stopping_ = false;
    std::function<void()> after_each_;
    std::thread thread_;
};

}  // namespace samsa::controller
