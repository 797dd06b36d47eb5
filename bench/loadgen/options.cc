#include "bench/loadgen/options.h"

#include <boost/program_options.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <utility>

namespace samsa::loadgen {

namespace po = boost::program_options;

namespace {

po::options_description describe(Options& o, std::string& bootstrap) {
    po::options_description desc(
        "usage: samsa_loadgen produce|fetch|idle [options]  (modes: see bench/samsa_loadgen.cc)");
    auto add = desc.add_options();
    add("help,h", "show this help");
    add("bootstrap,b", po::value(&bootstrap), "broker IPv4:PORT (127.0.0.1:9092)");
    add("topic,t", po::value(&o.topic), "topic (produce, fetch)");
    add("partitions", po::value(&o.partitions), "partitions used: connection i -> i % N (1)");
    add("connections,c", po::value(&o.connections), "connections (1; idle: 10000)");
    add("in-flight,P", po::value(&o.in_flight),
        "produce: requests in flight per connection (1; with --rate the cap, default R)");
    add("record-size,s", po::value(&o.record_size), "produce: value bytes per record (100)");
    add("records-per-request,n", po::value(&o.records_per_request),
        "produce: records in each request's batch (1)");
    add("idempotent", po::bool_switch(&o.idempotent),
        "produce: an idempotent producer per connection (InitProducerId, sequences)");
    add("redis", po::bool_switch(&o.redis),
        "produce: send XADD <topic> * v <value> to a Redis server (RESP) instead");
    add("redis-ping", po::bool_switch(&o.redis_ping),
        "produce: with --redis, PING instead of XADD (the machine's round-trip floor)");
    add("acks,a", po::value(&o.acks), "produce: 1 or -1 (1)");
    add("rate,r", po::value(&o.rate), "produce: paced requests/s per connection (closed loop)");
    add("max-wait-ms", po::value(&o.max_wait_ms), "fetch: max_wait_ms (1)");
    add("max-bytes", po::value(&o.max_bytes), "fetch: max_bytes = partition_max_bytes (1 MiB)");
    add("warmup", po::value(&o.warmup_s), "seconds of load before the measured window (2)");
    add("duration,d", po::value(&o.duration_s), "measured seconds (10)");
    add("drain", po::value(&o.drain_s), "seconds to wait for measured answers after it (5)");
    add("threads", po::value(&o.threads), "event-loop threads (1)");
    add("broker-pid", po::value(&o.broker_pid), "sample this process's CPU and RSS");
    add("client-id", po::value(&o.client_id), "client id in request headers (samsa-loadgen)");
    add("latency-log", po::value(&o.latency_log),
        "write each measured request's 'scheduled_ns latency_ns wire_ns' (CLOCK_MONOTONIC; "
        "wire: kernel send to kernel receive of the answer) to FILE");
    return desc;
}

Mode parse_mode(const std::string& mode) {
    if (mode == "produce") {
        return Mode::produce;
    }
    if (mode == "fetch") {
        return Mode::fetch;
    }
    if (mode == "idle") {
        return Mode::idle;
    }
    throw std::invalid_argument("unknown mode '" + mode + "' (produce, fetch or idle)");
}

void split_bootstrap(Options& o, const std::string& bootstrap) {
    auto [host, port] = split_host_port(bootstrap);
    o.host = std::move(host);
    o.port = port;
}

void require(bool ok, const char* what) {
    if (!ok) {
        throw std::invalid_argument(what);
    }
}

void validate(const Options& o) {
    require(o.mode == Mode::idle || !o.topic.empty(), "--topic is required");
    require(o.acks == 1 || o.acks == -1, "--acks must be 1 or -1 (acks=0 gets no response)");
    require(o.connections >= 1 && o.partitions >= 1 && o.threads >= 1 && o.in_flight >= 1,
            "counts must be >= 1");
    require(o.threads <= o.connections, "--threads must not exceed --connections");
    require(o.record_size >= 0 && o.rate >= 0 && o.max_bytes > 0, "sizes must be >= 0");
    require(o.records_per_request >= 1, "--records-per-request must be >= 1");
    require(int64_t{o.records_per_request} * (o.record_size + 16) < (1 << 30),
            "--records-per-request x --record-size must stay under 1 GiB");
    require(!o.idempotent || o.mode == Mode::produce, "--idempotent is for produce");
    require(!o.redis || (o.mode == Mode::produce && !o.idempotent && o.records_per_request == 1),
            "--redis is for produce, one record per request, not idempotent");
    require(!o.redis_ping || o.redis, "--redis-ping needs --redis");
    // Kafka's max.in.flight.requests.per.connection limit for idempotence: the broker keeps
    // the last 5 batches of each producer, so a sixth in flight could not be recognised as a
    // duplicate on a retry.
    require(!o.idempotent || o.in_flight <= 5, "--idempotent allows at most 5 in flight");
    require(o.duration_s > 0 && o.warmup_s >= 0 && o.drain_s >= 0,
            "--duration must be > 0, --warmup and --drain >= 0");
}

}  // namespace

const char* mode_name(Mode mode) {
    switch (mode) {
        case Mode::produce:
            return "produce";
        case Mode::fetch:
            return "fetch";
        case Mode::idle:
            return "idle";
    }
    return "?";
}

HostPort split_host_port(const std::string& bootstrap) {
    const auto colon = bootstrap.rfind(':');
    if (colon == std::string::npos) {
        throw std::invalid_argument("--bootstrap needs HOST:PORT");
    }
    return {bootstrap.substr(0, colon),
            static_cast<uint16_t>(std::stoi(bootstrap.substr(colon + 1)))};
}

Options parse_options(int argc, char** argv) {
    Options o;
    std::string mode;
    std::string bootstrap = "127.0.0.1:9092";
    po::options_description desc = describe(o, bootstrap);
    po::options_description all;
    all.add(desc).add_options()("mode", po::value(&mode));
    po::positional_options_description positional;
    positional.add("mode", 1);
    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
    if (vm.count("help") || mode.empty()) {
        std::cout << desc << "\n";
        std::exit(vm.count("help") ? 0 : 1);
    }
    o.mode = parse_mode(mode);
    split_bootstrap(o, bootstrap);
    if (o.mode == Mode::idle && !vm.count("connections")) {
        o.connections = 10000;
    }
    if (o.rate > 0 && !vm.count("in-flight")) {
        o.in_flight = std::max(1, static_cast<int>(o.rate));
    }
    validate(o);
    return o;
}

}  // namespace samsa::loadgen
