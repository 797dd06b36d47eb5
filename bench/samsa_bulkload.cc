// samsa_bulkload: bulk produce and fetch over PLAINTEXT or SASL_SSL from a client whose own
// cost is small and the same in both, so that SASL_SSL / plaintext measures the broker (issue 7).
//
//   samsa_bulkload --bootstrap HOST:PORT --topic T --mode produce|fetch [--connections K]
//                  [--record-size 1024] [--request-bytes 1000000] [--bytes N] [--acks 1]
//                  [--ca CA.pem --user U --password P [--mechanism SCRAM-SHA-512]]
//                  [--broker-pid PID]
//
// Why not librdkafka alone: for 1 KiB records its producer sends about one record in five as a
// separate segment of the request buffer, and over TLS it passes each segment to its own
// SSL_write, so those records go out as a 10-byte and a 1,024-byte TLS record, each its own
// write(2) (traced in bench/RESULTS.md, 2026-12-06). The broker then decrypts seven times the
// records a client that fills them would send, and the client's kernel time doubles. Kafka's
// own clients fill 16 KiB records.
//
// K connections (threads), connection k on partition k of T (T needs K partitions). Produce:
// each connection sends one prebuilt RecordBatch of --request-bytes of records again and again
// (the broker assigns the offsets), one request in flight, until the connections together have
// sent --bytes of record values. Fetch: each connection reads its partition from offset 0 until
// it has read its share of --bytes. The client is the broker's own (net::BlockingChannel,
// auth::SaslClient over OpenSSL): it writes a request with one SSL_write, so TLS records are
// full. Prints MB/s, records/s, this process's and the broker's CPU, and a RESULT line.

#include "auth/sasl_client_authenticator.h"
#include "auth/ssl_factory.h"
#include "bench/loadgen/frames.h"
#include "bench/loadgen/proc_stats.h"
#include "broker/net/blocking_channel.h"
#include "broker/net/channel_security.h"
#include "broker/net/sasl_channel_authenticator.h"
#include "broker/protocol/generated/fetch_request.h"
#include "broker/protocol/generated/fetch_response.h"
#include "broker/protocol/generated/produce_response.h"
#include "broker/protocol/record_batch.h"
#include "common/logging.h"

#include <boost/program_options.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace samsa::bulkload {
namespace {

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

constexpr int16_t kProduceVersion = 7;
constexpr int16_t kFetchVersion = 11;
constexpr std::chrono::milliseconds kTimeout{30000};

struct Options {
    std::string host;
    uint16_t port = 0;
    std::string topic;
    std::string mode;
    int connections = 4;
    int record_size = 1024;
    int request_bytes = 1000000;
    int64_t bytes = 1000000000;
    int acks = 1;
    std::string ca;
    std::string user;
    std::string password;
    std::string mechanism = "SCRAM-SHA-512";
    pid_t broker_pid = 0;
};

// What one connection did; `error` empty when it finished its share.
struct Progress {
    int64_t records = 0;
    int64_t value_bytes = 0;
    int64_t wire_bytes = 0;  // record batches as sent or received
    std::string error;
};

std::unique_ptr<net::BlockingChannel> make_channel(const Options& o) {
    auto security = std::make_shared<net::ChannelSecurity>();
    if (!o.ca.empty()) {
        auth::SslConfig ssl;
        ssl.truststore_location = o.ca;
        ssl.enabled_protocols = {"TLSv1.3"};
        security->protocol =
            o.user.empty() ? auth::SecurityProtocol::ssl : auth::SecurityProtocol::sasl_ssl;
        security->ssl = std::make_shared<auth::SslFactory>(ssl, auth::SslMode::client);
    } else if (!o.user.empty()) {
        security->protocol = auth::SecurityProtocol::sasl_plaintext;
    }
    auto channel = std::make_unique<net::BlockingChannel>(o.host, o.port, "samsa-bulkload",
                                                          kTimeout, security);
    if (!o.user.empty()) {
        channel->set_connect_hook(
            net::sasl_connect_hook(auth::SaslCredential{o.mechanism, o.user, o.password, nullptr}));
    }
    return channel;
}

void produce(const Options& o, int32_t partition, int64_t share, Progress& p) {
    const int32_t per_batch = std::max(1, o.request_bytes / o.record_size);
    const auto batch = loadgen::make_batch(o.record_size, per_batch);
    const auto request = loadgen::make_produce_request(o.topic, partition, o.acks, batch);
    auto channel = make_channel(o);
    while (p.value_bytes < share) {
        auto response = channel->send<protocol::ProduceResponseData>(request, kProduceVersion);
        if (!response) {
            p.error = response.error().message();
            return;
        }
        const auto& r = response.value();
        if (r.responses.size() != 1 || r.responses[0].partition_responses.size() != 1) {
            p.error = "Produce response without the one partition asked";
            return;
        }
        if (int16_t code = r.responses[0].partition_responses[0].error_code; code != 0) {
            p.error = "Produce error " + std::to_string(code);
            return;
        }
        p.records += per_batch;
        p.value_bytes += int64_t{per_batch} * o.record_size;
        p.wire_bytes += static_cast<int64_t>(batch.size());
    }
}

void fetch(const Options& o, int32_t partition, int64_t share, Progress& p) {
    protocol::FetchRequestData request;
    request.replica_id = -1;
    request.max_wait_ms = 100;
    request.min_bytes = 1;
    request.max_bytes = 64 << 20;
    request.session_epoch = -1;  // no fetch session: one partition, a full fetch each time
    auto& part = request.topics.emplace_back().partitions.emplace_back();
    request.topics[0].topic = o.topic;
    part.partition = partition;
    part.partition_max_bytes = 16 << 20;
    auto channel = make_channel(o);
    while (p.value_bytes < share) {
        auto response = channel->send<protocol::FetchResponseData>(request, kFetchVersion);
        if (!response) {
            p.error = response.error().message();
            return;
        }
        const auto& r = response.value();
        if (r.responses.size() != 1 || r.responses[0].partition_responses.size() != 1) {
            p.error = "Fetch response without the one partition asked";
            return;
        }
        const auto& pr = r.responses[0].partition_responses[0];
        if (pr.error_code != 0) {
            p.error = "Fetch error " + std::to_string(pr.error_code);
            return;
        }
        auto bytes = pr.record_set.is_null() ? std::span<const uint8_t>{} : pr.record_set.bytes();
        if (bytes.empty() && pr.high_watermark <= part.fetch_offset) {
            p.error = "partition " + std::to_string(partition) + " ends at offset " +
                      std::to_string(pr.high_watermark) + " before this connection's share";
            return;
        }
        // Whole batches only; a trailing partial one is fetched again from its base offset.
        while (bytes.size() >= protocol::kRecordBatchHeaderSize) {
            protocol::RecordBatchView b(bytes);
            const auto size = static_cast<size_t>(b.size_in_bytes());
            if (size > bytes.size()) {
                break;
            }
            const int64_t count = b.next_offset() - std::max(part.fetch_offset, b.base_offset());
            p.records += count;
            p.value_bytes += count * o.record_size;
            p.wire_bytes += static_cast<int64_t>(size);
            part.fetch_offset = b.next_offset();
            bytes = bytes.subspan(size);
        }
    }
}

double cpu_seconds(const loadgen::SelfCpu& a, const loadgen::SelfCpu& b) {
    return static_cast<double>(b.user_ns - a.user_ns + b.sys_ns - a.sys_ns) / 1e9;
}

bool run(const Options& o) {
    std::vector<Progress> progress(static_cast<size_t>(o.connections));
    const int64_t share = o.bytes / o.connections;
    const loadgen::SelfCpu self0 = loadgen::self_cpu();
    const loadgen::ProcSample broker0 = loadgen::sample_process(o.broker_pid);
    const Clock::time_point start = Clock::now();
    {
        std::vector<std::jthread> threads;
        for (int k = 0; k < o.connections; ++k) {
            threads.emplace_back([&o, k, share, &progress] {
                auto& p = progress[static_cast<size_t>(k)];
                if (o.mode == "produce") {
                    produce(o, k, share, p);
                } else {
                    fetch(o, k, share, p);
                }
            });
        }
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const loadgen::SelfCpu self1 = loadgen::self_cpu();
    const loadgen::ProcSample broker1 = loadgen::sample_process(o.broker_pid);
    Progress total;
    for (const auto& p : progress) {
        total.records += p.records;
        total.value_bytes += p.value_bytes;
        total.wire_bytes += p.wire_bytes;
        if (!p.error.empty()) {
            std::fprintf(stderr, "samsa_bulkload: %s\n", p.error.c_str());
            total.error = p.error;
        }
    }
    const double gb = static_cast<double>(total.value_bytes) / 1e9;
    const double client_s = cpu_seconds(self0, self1);
    const double broker_s =
        broker0.ok && broker1.ok ? static_cast<double>(broker1.cpu_ns - broker0.cpu_ns) / 1e9 : 0;
    std::printf(
        "%s %s: %d connections, %lld records of %d B in %.2f s: %.0f records/s, "
        "%.1f MB/s of values\n",
        o.mode.c_str(), o.ca.empty() ? "plaintext" : "TLS", o.connections,
        static_cast<long long>(total.records), o.record_size, seconds,
        static_cast<double>(total.records) / seconds,
        static_cast<double>(total.value_bytes) / seconds / (1 << 20));
    std::printf("  client CPU %.2f s (%.2f s/GB), broker CPU %.2f s (%.2f s/GB)\n", client_s,
                client_s / gb, broker_s, broker_s / gb);
    // The RESULT keys samsa_bench prints, so bench/run.sh tabulates both alike.
    std::printf(
        "RESULT rps=%.0f mbps=%.2f seconds=%.3f client_cpu_s=%.3f broker_cpu_s=%.3f "
        "wire_bytes=%lld\n",
        static_cast<double>(total.records) / seconds,
        static_cast<double>(total.value_bytes) / seconds / (1 << 20), seconds, client_s, broker_s,
        static_cast<long long>(total.wire_bytes));
    return total.error.empty();
}

Options parse_options(int argc, char** argv) {
    Options o;
    std::string bootstrap;
    po::options_description desc("samsa_bulkload options");
    desc.add_options()("help,h", "show this help")("bootstrap", po::value(&bootstrap)->required(),
                                                   "HOST:PORT of the listener")(
        "topic", po::value(&o.topic)->required(), "topic with at least --connections partitions")(
        "mode", po::value(&o.mode)->required(), "produce or fetch")(
        "connections", po::value(&o.connections)->default_value(o.connections),
        "connections, one partition and one thread each")(
        "record-size", po::value(&o.record_size)->default_value(o.record_size), "value bytes")(
        "request-bytes", po::value(&o.request_bytes)->default_value(o.request_bytes),
        "record values per Produce request, bytes")(
        "bytes", po::value(&o.bytes)->default_value(o.bytes), "record values in all, bytes")(
        "acks", po::value(&o.acks)->default_value(o.acks), "1 or -1")(
        "ca", po::value(&o.ca), "TLS: PEM file of the CA that signed the broker's certificate")(
        "user", po::value(&o.user), "SASL username (SASL_SSL with --ca, else SASL_PLAINTEXT)")(
        "password", po::value(&o.password), "SASL password")(
        "mechanism", po::value(&o.mechanism)->default_value(o.mechanism),
        "SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN")(
        "broker-pid", po::value(&o.broker_pid)->default_value(0), "sample this process's CPU");
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help") != 0U) {
        std::printf("%s", (std::ostringstream() << desc).str().c_str());
        std::exit(0);
    }
    po::notify(vm);
    auto [host, port] = loadgen::split_host_port(bootstrap);
    o.host = std::move(host);
    o.port = port;
    if (o.mode != "produce" && o.mode != "fetch") {
        throw std::invalid_argument("--mode is produce or fetch");
    }
    if (o.connections < 1 || o.record_size < 1 || o.request_bytes < 1 || o.bytes < 1) {
        throw std::invalid_argument(
            "--connections, --record-size, --request-bytes and --bytes "
            "must be positive");
    }
    return o;
}

}  // namespace
}  // namespace samsa::bulkload

int main(int argc, char** argv) {
    using namespace samsa::bulkload;
    try {
        const Options o = parse_options(argc, argv);
        samsa::get_logger("auth")->set_level(spdlog::level::warn);
        return run(o) ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "samsa_bulkload: %s\n", e.what());
        return 1;
    }
}
