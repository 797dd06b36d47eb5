// samsa_connstorm: what a connection's set-up costs over SASL_SSL (issue 7), measured from a C++
// client so that the broker's share is not hidden behind a slow client.
//
//   samsa_connstorm --bootstrap HOST:PORT --ca CA.pem --user U --password P
//                   [--mechanism SCRAM-SHA-512] [--sequential N] [--storm N]
//                   [--cache-salted-password] [--no-tls] [--broker-pid PID]
//
// Each connection: TCP connect, TLS handshake trusting CA.pem (the broker's certificate must
// name HOST), SaslHandshake v1 + SaslAuthenticate, then one ApiVersions round trip. It is the
// broker's own client (net::BlockingChannel with net::sasl_connect_hook, auth::SaslClient), so
// no SCRAM or TLS code of its own; the channel stamps each phase (last_connect_times).
//
// --sequential N: N connections one after another, each closed before the next (an idle
//   broker): p50/p99/max of the whole set-up and of each phase.
// --storm N: N threads, one connection each, released together by a barrier; the time from the
//   first connect until the last is authenticated (and until the last ApiVersions answer). The
//   connections stay open until all are done. The window is printed as CLOCK_MONOTONIC ns
//   (STORM line) so a paced producer's latency log can be cut to it (bench/latency_windows.py).
// Both may be given; sequential runs first. One untimed connection precedes each mode.
//
// SCRAM's client cost is PBKDF2 (4096 x HMAC-SHA-512 for SCRAM-SHA-512) per connection, as
// Kafka's clients pay it. --cache-salted-password computes SaltedPassword once and reuses it
// (RFC 5802 §5.1 allows it): the output says which. Client CPU (getrusage, all threads) and,
// with --broker-pid, the broker's CPU (/proc/PID/task/*/schedstat) are sampled around each
// mode and divided by the connections made; the broker's is also split by thread role
// (network, handshake, acceptor), with the time each role spent runnable but waiting for a CPU.

#include "auth/sasl_client.h"
#include "auth/sasl_client_authenticator.h"
#include "auth/ssl_factory.h"
#include "bench/loadgen/options.h"
#include "bench/loadgen/proc_stats.h"
#include "broker/net/blocking_channel.h"
#include "broker/net/channel_security.h"
#include "broker/net/sasl_channel_authenticator.h"
#include "broker/protocol/generated/api_versions_request.h"
#include "broker/protocol/generated/api_versions_response.h"
#include "common/logging.h"

#include <boost/program_options.hpp>

#include <algorithm>
#include <barrier>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <time.h>
#include <utility>
#include <vector>

namespace samsa::connstorm {
namespace {

namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

constexpr int16_t kApiVersionsVersion = 3;
constexpr std::chrono::milliseconds kTimeout{30000};

struct Options {
    std::string host;
    uint16_t port = 0;
    std::string ca;
    std::string mechanism = "SCRAM-SHA-512";
    std::string user;
    std::string password;
    int sequential = 0;
    int storm = 0;
    bool cache_salted_password = false;
    bool tls = true;
    pid_t broker_pid = 0;
};

// One connection's phases, ms, and its absolute edges for the storm's window.
struct Timing {
    bool ok = false;
    std::string error;
    double tcp_ms = 0, tls_ms = 0, sasl_ms = 0, request_ms = 0, total_ms = 0;
    Clock::time_point start, authenticated, answered;
};

struct Target {
    Options o;
    std::shared_ptr<const net::ChannelSecurity> security;
    auth::SaslCredential credential;
};

double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

// Connects `channel` (TCP, TLS, SASL in the connect hook) by sending it an ApiVersions.
Timing connect_once(net::BlockingChannel& channel) {
    Timing t;
    protocol::ApiVersionsRequestData request;
    request.client_software_name = "samsa-connstorm";
    request.client_software_version = "1";
    auto response = channel.send<protocol::ApiVersionsResponseData>(request, kApiVersionsVersion);
    const Clock::time_point answered = Clock::now();
    if (!response) {
        t.error = response.error().message();
        return t;
    }
    if (response.value().error_code != 0) {
        t.error = "ApiVersions error " + std::to_string(response.value().error_code);
        return t;
    }
    const auto& c = channel.last_connect_times();
    t.ok = true;
    t.start = c.start;
    t.authenticated = c.hook_done;
    t.answered = answered;
    t.tcp_ms = ms_between(c.start, c.tcp_connected);
    t.tls_ms = ms_between(c.tcp_connected, c.tls_done);
    t.sasl_ms = ms_between(c.tls_done, c.hook_done);
    t.request_ms = ms_between(c.hook_done, answered);
    t.total_ms = ms_between(c.start, answered);
    return t;
}

std::unique_ptr<net::BlockingChannel> make_channel(const Target& target) {
    auto channel = std::make_unique<net::BlockingChannel>(
        target.o.host, target.o.port, "samsa-connstorm", kTimeout, target.security);
    channel->set_connect_hook(net::sasl_connect_hook(target.credential));
    return channel;
}

double percentile(std::vector<double> v, double q) {
    if (v.empty()) {
        return 0;
    }
    std::sort(v.begin(), v.end());
    const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

// CPU of this process and of the broker around one mode.
class CpuMeter {
  public:
    explicit CpuMeter(pid_t broker) : broker_(broker) {
        self0_ = loadgen::self_cpu();
        broker0_ = loadgen::sample_process(broker_);
    }
    // Prints both, per connection, and returns "key=value" fields for the RESULT line.
    std::string report(int connections) const {
        const loadgen::SelfCpu self1 = loadgen::self_cpu();
        const double client_s =
            static_cast<double>(self1.user_ns - self0_.user_ns + self1.sys_ns - self0_.sys_ns) /
            1e9;
        std::printf("  client CPU %.3f s (%.2f ms per connection, all client threads)\n", client_s,
                    client_s * 1e3 / connections);
        char fields[256];
        std::snprintf(fields, sizeof fields, " client_cpu_s=%.3f client_cpu_ms_per_conn=%.3f",
                      client_s, client_s * 1e3 / connections);
        std::string out = fields;
        const loadgen::ProcSample broker1 = loadgen::sample_process(broker_);
        if (broker0_.ok && broker1.ok) {
            const double broker_s = static_cast<double>(broker1.cpu_ns - broker0_.cpu_ns) / 1e9;
            std::printf(
                "  broker CPU %.3f s (%.2f ms per connection: set-up, one ApiVersions, "
                "close)\n",
                broker_s, broker_s * 1e3 / connections);
            std::snprintf(fields, sizeof fields, " broker_cpu_s=%.3f broker_cpu_ms_per_conn=%.3f",
                          broker_s, broker_s * 1e3 / connections);
            out += fields;
            print_roles(loadgen::role_deltas(broker0_, broker1));
        }
        return out;
    }

  private:
    // Which broker threads did the work, and how long they waited for a CPU: a network thread
    // that waits on the run queue delays every connection it serves.
    static void print_roles(const std::map<std::string, loadgen::RoleTimes>& roles) {
        std::printf("  broker threads (ms on a CPU / ms runnable, waiting for one):");
        for (const auto& [role, t] : roles) {
            std::printf(" %s* %.1f/%.1f", role.c_str(), static_cast<double>(t.run_ns) / 1e6,
                        static_cast<double>(t.wait_ns) / 1e6);
        }
        std::printf("\n");
    }

    pid_t broker_;
    loadgen::SelfCpu self0_;
    loadgen::ProcSample broker0_;
};

std::string label(const Options& o) {
    std::string l = (o.tls ? "TCP + TLS + " : "TCP + ") + o.mechanism;
    if (o.mechanism.starts_with("SCRAM")) {
        l += o.cache_salted_password ? ", salted password CACHED (computed once)"
                                     : ", salted password computed on every connection";
    }
    return l;
}

// Prints p50/p99/max of each phase; returns the RESULT fields.
std::string print_phases(const std::vector<Timing>& timings) {
    struct Phase {
        const char* name;
        double Timing::*field;
    };
    const Phase phases[] = {{"tcp", &Timing::tcp_ms},
                            {"tls", &Timing::tls_ms},
                            {"sasl", &Timing::sasl_ms},
                            {"request", &Timing::request_ms},
                            {"total", &Timing::total_ms}};
    std::printf("  %-8s %8s %8s %8s\n", "phase", "p50_ms", "p99_ms", "max_ms");
    std::string fields;
    for (const Phase& p : phases) {
        std::vector<double> v;
        for (const Timing& t : timings) {
            v.push_back(t.*(p.field));
        }
        const double p50 = percentile(v, 0.5), p99 = percentile(v, 0.99), max = percentile(v, 1);
        std::printf("  %-8s %8.2f %8.2f %8.2f\n", p.name, p50, p99, max);
        char kv[160];
        std::snprintf(kv, sizeof kv, " %s_p50_ms=%.2f %s_p99_ms=%.2f %s_max_ms=%.2f", p.name, p50,
                      p.name, p99, p.name, max);
        fields += kv;
    }
    return fields;
}

bool run_sequential(const Target& target) {
    const int n = target.o.sequential;
    connect_once(*make_channel(target));  // warm-up: not timed
    std::vector<Timing> timings;
    CpuMeter cpu(target.o.broker_pid);
    for (int i = 0; i < n; ++i) {
        Timing t = connect_once(*make_channel(target));
        if (!t.ok) {
            std::fprintf(stderr, "samsa_connstorm: connection %d failed: %s\n", i, t.error.c_str());
            return false;
        }
        timings.push_back(t);
    }
    std::printf("sequential: %d connections one after another (%s), idle broker\n", n,
                label(target.o).c_str());
    std::string fields = print_phases(timings) + cpu.report(n);
    std::printf("RESULT mode=sequential n=%d cached=%d%s\n", n,
                target.o.cache_salted_password ? 1 : 0, fields.c_str());
    return true;
}

bool run_storm(const Target& target) {
    const int n = target.o.storm;
    connect_once(*make_channel(target));  // warm-up: not timed
    std::vector<std::unique_ptr<net::BlockingChannel>> channels;
    for (int i = 0; i < n; ++i) {
        channels.push_back(make_channel(target));
    }
    std::vector<Timing> timings(static_cast<size_t>(n));
    std::barrier start(n + 1);
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();
            timings[static_cast<size_t>(i)] = connect_once(*channels[static_cast<size_t>(i)]);
        });
    }
    CpuMeter cpu(target.o.broker_pid);
    start.arrive_and_wait();
    for (auto& t : threads) {
        t.join();
    }
    std::string cpu_fields;
    int failed = 0;
    Clock::time_point first = Clock::time_point::max(), last_auth{}, last_answer{};
    for (const Timing& t : timings) {
        if (!t.ok) {
            if (failed++ == 0) {
                std::fprintf(stderr, "samsa_connstorm: a storm connection failed: %s\n",
                             t.error.c_str());
            }
            continue;
        }
        first = std::min(first, t.start);
        last_auth = std::max(last_auth, t.authenticated);
        last_answer = std::max(last_answer, t.answered);
    }
    if (failed == n) {
        return false;
    }
    std::printf("storm: %d connections at once (%s)\n", n, label(target.o).c_str());
    std::printf(
        "  last authenticated %.1f ms after the first connect; last ApiVersions answered "
        "after %.1f ms; %d failed\n",
        ms_between(first, last_auth), ms_between(first, last_answer), failed);
    std::string fields = print_phases(timings) + cpu.report(n);
    channels.clear();
    // steady_clock is CLOCK_MONOTONIC on Linux, the clock samsa_loadgen stamps with.
    const auto ns = [](Clock::time_point t) {
        return static_cast<long long>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
    };
    std::printf(
        "RESULT mode=storm n=%d cached=%d failed=%d last_auth_ms=%.1f last_answer_ms=%.1f"
        "%s\n",
        n, target.o.cache_salted_password ? 1 : 0, failed, ms_between(first, last_auth),
        ms_between(first, last_answer), fields.c_str());
    std::printf("STORM start_ns=%lld end_ns=%lld\n", ns(first), ns(last_auth));
    return failed == 0;
}

Options parse_options(int argc, char** argv) {
    Options o;
    std::string bootstrap;
    po::options_description desc("samsa_connstorm options");
    desc.add_options()("help,h", "show this help")("bootstrap", po::value(&bootstrap)->required(),
                                                   "HOST:PORT of a SASL_SSL listener")(
        "ca", po::value(&o.ca), "PEM file of the CA that signed the broker's certificate")(
        "user", po::value(&o.user)->required(), "SASL username")(
        "password", po::value(&o.password)->required(), "SASL password")(
        "mechanism", po::value(&o.mechanism)->default_value(o.mechanism),
        "SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN")(
        "sequential", po::value(&o.sequential)->default_value(0), "N connections one by one")(
        "storm", po::value(&o.storm)->default_value(0), "N connections at once")(
        "cache-salted-password", po::bool_switch(&o.cache_salted_password),
        "compute SCRAM's SaltedPassword once and reuse it (RFC 5802 5.1)")(
        "no-tls", "SASL_PLAINTEXT instead of SASL_SSL")(
        "broker-pid", po::value(&o.broker_pid)->default_value(0), "sample this process's CPU");
    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help") != 0U) {
        std::printf("%s", (std::ostringstream() << desc).str().c_str());
        std::exit(0);
    }
    po::notify(vm);
    o.tls = vm.count("no-tls") == 0U;
    auto [host, port] = loadgen::split_host_port(bootstrap);
    o.host = std::move(host);
    o.port = port;
    if (o.tls && o.ca.empty()) {
        throw std::invalid_argument("--ca is required with TLS");
    }
    if (o.sequential <= 0 && o.storm <= 0) {
        throw std::invalid_argument("give --sequential N and/or --storm N");
    }
    return o;
}

Target make_target(const Options& o) {
    Target t{o, nullptr, {o.mechanism, o.user, o.password, nullptr}};
    auto security = std::make_shared<net::ChannelSecurity>();
    if (o.tls) {
        auth::SslConfig ssl;
        ssl.truststore_location = o.ca;
        ssl.enabled_protocols = {"TLSv1.3"};
        security->protocol = auth::SecurityProtocol::sasl_ssl;
        security->ssl = std::make_shared<auth::SslFactory>(ssl, auth::SslMode::client);
    } else {
        security->protocol = auth::SecurityProtocol::sasl_plaintext;
    }
    t.security = security;
    if (o.cache_salted_password) {
        t.credential.salted_passwords = std::make_shared<auth::ScramSaltedPasswordCache>();
    }
    return t;
}

}  // namespace
}  // namespace samsa::connstorm

int main(int argc, char** argv) {
    using namespace samsa::connstorm;
    try {
        const Options o = parse_options(argc, argv);
        // The SASL hook logs each authentication at info: noise here, and client CPU.
        samsa::get_logger("auth")->set_level(spdlog::level::warn);
        const Target target = make_target(o);
        bool ok = true;
        if (o.sequential > 0) {
            ok = run_sequential(target) && ok;
        }
        if (o.storm > 0) {
            ok = run_storm(target) && ok;
        }
        return ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "samsa_connstorm: %s\n", e.what());
        return 1;
    }
}
