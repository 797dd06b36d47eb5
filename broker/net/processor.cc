#include "broker/net/processor.h"

#include <pthread.h>

#include <exception>

#include "common/logging.h"

namespace samsa::net {

Processor::Processor(std::string name) : name_(std::move(name)) {}

Processor::~Processor() { stop(); }

void Processor::start() {
    work_.emplace(io_.get_executor());
    thread_ = std::thread([this] {
        // Linux limits thread names to 15 characters.
        pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
        for (;;) {
            try {
                io_.run();
                return;
            } catch (const std::exception& e) {
                // Connection coroutines catch their own errors, so this is a bug in a plain
                // handler. Asio allows run() to be called again: the other connections of
                // this thread keep being served.
                get_logger("net")->error("network thread {}: handler failed: {}", name_,
                                         e.what());
            }
        }
    });
}

void Processor::stop() {
    work_.reset();
    io_.stop();
    if (thread_.joinable()) {
        thread_.join();
    }
}

}  // namespace samsa::net
