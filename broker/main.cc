// samsa-broker <server.properties> [--override key=value]...
//
// The process boundary: configuration and start-up errors end here with a message and a
// non-zero exit; SIGTERM and SIGINT shut the broker down cleanly.

#include "broker/server/kafka_config.h"
#include "broker/server/kafka_server.h"
#include "common/logging.h"

#include <atomic>
#include <cstdio>
#include <exception>
#include <iostream>
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <thread>

namespace {

// SIGTERM and SIGINT, blocked in every thread (threads inherit the mask, so this must run
// before any thread exists) and taken by one thread with sigwait.
sigset_t shutdown_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return set;
}

// Returns a thread that waits for SIGTERM/SIGINT and shuts the server down. `done` tells it
// the server has already stopped for another reason: it then leaves without a word.
std::thread watch_signals(samsa::server::KafkaServer& server, const std::atomic<bool>& done) {
    sigset_t set = shutdown_signals();
    return std::thread([set, &server, &done] {
        int sig = 0;
        sigwait(&set, &sig);
        if (done) {
            return;
        }
        samsa::get_logger("server")->info("received {}, shutting down",
                                          sig == SIGTERM ? "SIGTERM" : "SIGINT");
        server.shutdown();
    });
}

// The watcher touches the server, so it must be gone before the server is destroyed: wake it
// (the signal is blocked in every thread, so it stays pending for the watcher's sigwait) and
// join it.
void stop_watching(std::thread& watcher, std::atomic<bool>& done) {
    done = true;
    pthread_kill(watcher.native_handle(), SIGTERM);
    watcher.join();
}

// Many clients means many sockets: raise the soft limit on open files to the hard limit, as
// the JVM does for Kafka (the start scripts raise the hard limit where they may).
void raise_open_files_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

// Each Produce request larger than a connection's read buffer (64 KiB) is read into a buffer
// of its own (net::FrameBuffer), freed once appended. glibc gives free memory at the top of a
// heap back to the kernel once M_TRIM_THRESHOLD of it is free: 2 MB by default after the first
// 1 MB buffer is freed. A few producers' 1 MB frames freed together pass that, and every next
// frame faults its pages in again and has the kernel zero them: a sixth of the broker's CPU
// with four producers sending 1 MB requests (bench/RESULTS.md, 2026-12-06). Frames up to
// 32 MiB come from the heaps and up to 64 MiB stays free in them for the next ones; what is
// kept is bounded by the frames the broker once held at the same time. Setting either value
// turns off glibc's sliding thresholds, so both are set.
void keep_freed_request_buffers() {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

}  // namespace

int main(int argc, char** argv) {
    using namespace samsa::server;
    sigset_t blocked = shutdown_signals();
    pthread_sigmask(SIG_BLOCK, &blocked, nullptr);
    // A peer that resets its connection must cost that connection, not the broker: sendfile(2)
    // raises SIGPIPE (send(2) is passed MSG_NOSIGNAL everywhere else).
    ::signal(SIGPIPE, SIG_IGN);
    CommandLine command_line;
    ParsedConfig parsed;
    try {
        command_line = parse_command_line(argc, argv);
        if (command_line.help) {
            std::cout << command_line_usage(argv[0]);
            return 0;
        }
        if (command_line.version) {
            std::cout << "samsa-broker " << SAMSA_VERSION << "\n";
            return 0;
        }
        parsed = load_kafka_config(command_line);
    } catch (const ConfigError& e) {
        std::cerr << "samsa-broker: " << e.what() << "\n";
        if (e.key().empty()) {
            std::cerr << command_line_usage(argv[0]);
        }
        return 2;
    }

    samsa::init_logging(parsed.config.log_level);
    auto logger = samsa::get_logger("server");
    for (const auto& warning : parsed.warnings) {
        logger->warn("{}", warning);
    }
    logger->info("{}", parsed.config.to_string());

    raise_open_files_limit();
    keep_freed_request_buffers();
    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    logger->info("open files limit: {}", static_cast<uint64_t>(files.rlim_cur));

    KafkaServer server(std::move(parsed.config));
    std::atomic<bool> stopped{false};
    std::thread signal_watcher = watch_signals(server, stopped);
    int status = 0;
    try {
        server.startup();
        server.await_shutdown();
        logger->info("shut down completed");
    } catch (const std::exception& e) {
        logger->critical("fatal error during start-up: {}", e.what());
        std::cerr << "samsa-broker: " << e.what() << "\n";
        server.shutdown();
        status = 1;
    }
    stop_watching(signal_watcher, stopped);
    return status;
}
