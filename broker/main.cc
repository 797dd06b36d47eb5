// samsa-broker <server.properties> [--override key=value]...
//
// The process boundary: configuration and start-up errors end here with a message and a
// non-zero exit; SIGTERM and SIGINT shut the broker down cleanly.

#include <signal.h>

#include <cstdio>
#include <exception>
#include <iostream>
#include <thread>

#include "broker/server/kafka_config.h"
#include "broker/server/kafka_server.h"
#include "common/logging.h"

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

// Returns a thread that waits for SIGTERM/SIGINT and shuts the server down.
std::thread watch_signals(samsa::server::KafkaServer& server) {
    sigset_t set = shutdown_signals();
    return std::thread([set, &server] {
        int sig = 0;
        sigwait(&set, &sig);
        samsa::get_logger("server")->info("received {}, shutting down",
                                          sig == SIGTERM ? "SIGTERM" : "SIGINT");
        server.shutdown();
    });
}

}  // namespace

int main(int argc, char** argv) {
    using namespace samsa::server;
    sigset_t blocked = shutdown_signals();
    pthread_sigmask(SIG_BLOCK, &blocked, nullptr);
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

    KafkaServer server(std::move(parsed.config));
    std::thread signal_watcher = watch_signals(server);
    signal_watcher.detach();
    try {
        server.startup();
    } catch (const std::exception& e) {
        logger->critical("fatal error during start-up: {}", e.what());
        std::cerr << "samsa-broker: " << e.what() << "\n";
        server.shutdown();
        return 1;
    }
    server.await_shutdown();
    logger->info("shut down completed");
    return 0;
}
