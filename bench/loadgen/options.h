#pragma once
// samsa_loadgen's command line (see bench/samsa_loadgen.cc for what each mode does).

#include <cstdint>
#include <string>
#include <sys/types.h>

namespace samsa::loadgen {

enum class Mode { produce, fetch, idle };

const char* mode_name(Mode mode);

// Every field is resolved: defaults that depend on the mode are filled in by parse_options.
struct Options {
    Mode mode = Mode::produce;
    std::string host = "127.0.0.1";
    uint16_t port = 9092;
    std::string topic;
    int partitions = 1;   // connection i uses partition i % partitions
    int connections = 1;  // idle: 10,000
    int in_flight = 1;    // per connection; with --rate the cap (default: one second's worth)
    int record_size = 100;
    int records_per_request = 1;  // produce: records in each request's one batch
    // produce: each connection is an idempotent producer (InitProducerId in its hello; its
    // batches carry the id, epoch and a sequence); at most 5 in flight, Kafka's limit.
    bool idempotent = false;
    // produce: talk RESP to a Redis server instead of Kafka to a broker, one
    // `XADD <topic> * v <value>` per request (the small-request benchmark's peer, under the
    // same load pattern); no hello, replies matched in order.
    bool redis = false;
    // --redis: send PING instead of XADD, so the server does nothing but answer. What this
    // client measures then is the round trip of the machine itself: the floor under any
    // server's latency on it.
    bool redis_ping = false;
    int acks = 1;
    double rate = 0;  // produce: requests/s per connection; 0 = closed loop
    int max_wait_ms = 1;
    int max_bytes = 1 << 20;
    double warmup_s = 2;
    double duration_s = 10;
    double drain_s = 5;
    int threads = 1;
    pid_t broker_pid = 0;  // 0: not sampled
    std::string client_id = "samsa-loadgen";
    // produce: every measured request's (scheduled time, latency) in ns, one line each, so a
    // run can be cut into windows afterwards (bench/latency_windows.py); empty: none kept.
    std::string latency_log;
};

// The host and port of a --bootstrap HOST:PORT (every bench client takes one); throws
// std::invalid_argument without a port.
struct HostPort {
    std::string host;
    uint16_t port = 0;
};
HostPort split_host_port(const std::string& bootstrap);

// Parses argv; prints the help and exits for --help (status 0) or no mode (status 1). Throws
// std::invalid_argument (or a Boost.Program_options error) for a bad command line.
Options parse_options(int argc, char** argv);

}  // namespace samsa::loadgen
