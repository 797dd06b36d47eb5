#include "broker/controller/controller_event_manager.h"

#include "common/logging.h"

#include <exception>

namespace samsa::controller {

namespace {

auto& logger() {
    static auto l = get_logger("controller");
    return *l;
}

}  // namespace

ControllerEventManager::~ControllerEventManager() {
    if (thread_.joinable()) {
        shutdown(Event{"Shutdown", [] {}});
    }
}

void ControllerEventManager::start() {
    thread_ = std::thread([this] { run(); });
}

void ControllerEventManager::shutdown(Event last) {
    {
        std::lock_guard lock(mu_);
        if (stopping_) {
            return;
        }
        queue_.push_back(std::move(last));
        stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable() && !on_event_thread()) {
        thread_.join();
    }
}

void ControllerEventManager::put(Event event) {
    {
        std::lock_guard lock(mu_);
        if (stopping_) {
            return;
        }
        queue_.push_back(std::move(event));
    }
    cv_.notify_one();
}

void ControllerEventManager::clear_and_put(Event event) {
    {
        std::lock_guard lock(mu_);
        if (stopping_) {
            return;
        }
        queue_.clear();
        queue_.push_back(std::move(event));
    }
    cv_.notify_one();
}

void ControllerEventManager::schedule(std::chrono::milliseconds delay, Event event) {
    {
        std::lock_guard lock(mu_);
        if (stopping_) {
            return;
        }
        scheduled_.emplace(std::chrono::steady_clock::now() + delay, std::move(event));
    }
    cv_.notify_one();
}

void ControllerEventManager::queue_due_events(std::chrono::steady_clock::time_point now) {
    while (!stopping_ && !scheduled_.empty() && scheduled_.begin()->first <= now) {
        queue_.push_back(std::move(scheduled_.begin()->second));
        scheduled_.erase(scheduled_.begin());
    }
}

void ControllerEventManager::run() {
    for (;;) {
        Event event;
        bool last = false;
        {
            std::unique_lock lock(mu_);
            for (;;) {
                queue_due_events(std::chrono::steady_clock::now());
                if (!queue_.empty()) {
                    break;
                }
                if (scheduled_.empty() || stopping_) {
                    cv_.wait(lock);
                } else {
                    cv_.wait_until(lock, scheduled_.begin()->first);
                }
            }
            event = std::move(queue_.front());
            queue_.pop_front();
            last = stopping_ && queue_.empty();
        }
        logger().debug("processing event {}", event.name);
        try {
            event.process();
            if (after_each_) {
                after_each_();
            }
        } catch (const std::exception& e) {
            // An event that fails leaves the controller as it was; later events may repair it
            // (Kafka logs and carries on too).
            logger().error("controller event {} failed: {}", event.name, e.what());
        }
        if (last) {
            return;
        }
    }
}

}  // namespace samsa::controller
