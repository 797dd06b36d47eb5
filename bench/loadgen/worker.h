#pragma once
// Worker: one event loop (level-triggered epoll, non-blocking sockets) driving a share of
// samsa_loadgen's connections through a run. Lives on one thread; everything it owns is touched
// only there. The Options and Frames it borrows are read-only and must outlive it.
//
// A run, in phases shared by all workers (Schedule):
//   prepare   connect (at most kConnectWindow at a time), then one untimed hello per
//             connection: ApiVersions, or ListOffsets latest for fetch (its tail start);
//             an idempotent producer's hello goes on with InitProducerId: each connection is
//             a producer of its own, so its sequences need no coordination with the others
//             (its batches go to one partition, in order: answers come in request order);
//   warm-up   the load runs, nothing is recorded;
//   measured  latency recorded for requests scheduled in the window, throughput counted from
//             responses arriving in it;
//   drain     no new requests (a paced connection still sends those scheduled in the window);
//             ends when all are answered or at drain_end. Measured requests still unanswered
//             then count as timeouts and enter the percentiles with the time waited so far.
// Responses on a connection come in request order (Kafka's rule): each must carry the
// correlation id of the oldest request in flight, or the connection fails.

#include "bench/loadgen/frames.h"
#include "bench/loadgen/histogram.h"
#include "bench/loadgen/options.h"
#include "broker/protocol/api_key.h"
#include "broker/protocol/wire.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <netinet/in.h>
#include <queue>
#include <span>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace samsa::loadgen {

inline constexpr int64_t kNsPerSec = 1'000'000'000;
// Paced sends due this close together share one wake-up of the generator (Worker::run).
inline constexpr int64_t kPacingSlackNs = 100'000;

int64_t now_ns();  // CLOCK_MONOTONIC

struct Schedule {
    int64_t start = 0;
    int64_t measure_start = 0;
    int64_t measure_end = 0;
    int64_t drain_end = 0;

    static Schedule from(const Options& o, int64_t start);
    bool measured(int64_t t) const { return t >= measure_start && t < measure_end; }
};

// One measured request. `latency` counts from the scheduled send time, so it includes the
// generator's own delays. `wire` is what the broker and the network took: from the moment the
// request was handed to the kernel to the moment the kernel received the response
// (SO_TIMESTAMPING's software receive stamp), so this process waiting for a CPU before or
// after does not count; 0 when unknown (never answered, or no stamp).
struct LatencySample {
    int64_t scheduled_ns = 0;
    int64_t latency_ns = 0;
    int64_t wire_ns = 0;
    auto operator<=>(const LatencySample&) const = default;
};

struct Stats {
    Histogram latency;       // load requests scheduled in the window
    Histogram e2e;           // fetch: stamped records received in the window
    uint64_t responses = 0;  // load responses arriving in the window
    uint64_t records = 0;    // fetch: records received in the window
    uint64_t record_bytes = 0;
    uint64_t timeouts = 0;  // measured requests unanswered at the end
    int ready = 0;          // connections through their hello
    // Error name ("UNKNOWN_TOPIC_OR_PARTITION(3)", "closed_by_broker"...) -> count.
    std::map<std::string, uint64_t> errors;
    // With --latency-log: the latency's requests one by one.
    std::vector<LatencySample> samples;

    uint64_t error_count() const;
    void merge(const Stats& other);
};

sockaddr_in broker_address(const Options& o);

class Worker {
  public:
    // `ids`: the run-wide numbers of this worker's connections.
    Worker(const Options& o, const Frames& frames, const std::vector<int>& ids);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    // Connects everything and gets each hello answered, or gives up at `deadline`.
    void prepare(int64_t deadline);
    // Runs the load through the schedule's phases; returns once drained, or at once when no
    // connection is ready. Connections stay open until the Worker dies (idle mode probes the
    // broker while they are).
    void run(const Schedule& schedule);
    const Stats& stats() const { return stats_; }

  private:
    struct InFlight {
        int32_t correlation_id;
        protocol::ApiKey key;
        int16_t version;
        int64_t scheduled_ns;
        int64_t sent_ns = 0;  // when its last byte went to the kernel (0: not yet)
    };
    enum class State { unused, connecting, hello, ready, closed };
    struct Conn {
        uint32_t index = 0;
        int fd = -1;
        int32_t partition = 0;
        int64_t phase_ns = 0;  // paced: this connection's offset within the period
        State state = State::unused;
        bool want_out = false;  // EPOLLOUT registered
        std::vector<uint8_t> in;
        size_t in_len = 0;
        std::vector<uint8_t> out;
        size_t out_off = 0;
        std::deque<InFlight> in_flight;
        int32_t next_correlation_id = 1;
        int64_t fetch_offset = 0;
        // With --latency-log: the kernel's receive time of the bytes of the last read
        // (CLOCK_MONOTONIC), 0 if it gave none.
        int64_t received_ns = 0;
        // --idempotent: from InitProducerId; base_sequence is the next batch's.
        ProducerFields producer;
        // Paced: the scheduled time of the next request not sent yet; `pacing` while that is
        // in the window, `blocked` while the in-flight cap holds it back.
        int64_t next_due = 0;
        bool pacing = false;
        bool blocked = false;
    };
    static constexpr size_t kConnectWindow = 256;  // without overflowing the accept backlog
    static constexpr size_t kMinRead = 512;

    void start_connect(Conn& c);
    void finish_connect(Conn& c);
    void on_event(Conn& c, uint32_t events);
    void read_ready(Conn& c);
    ssize_t recv_stamped(Conn& c);
    size_t take_kafka_frames(Conn& c, size_t& need);
    size_t take_redis_replies(Conn& c);
    bool handle_frame(Conn& c, std::span<const uint8_t> body);
    void count_answer(const Conn& c, const InFlight& request);
    void produce_answered(Conn& c);
    void dispatch(Conn& c, const InFlight& request, protocol::Reader& r);
    void on_produce(Conn& c, protocol::Reader& r);
    void on_fetch(Conn& c, protocol::Reader& r);
    void count_fetched(Conn& c, std::span<const uint8_t> records);
    void on_list_offsets(Conn& c, protocol::Reader& r);
    void on_api_versions(Conn& c, protocol::Reader& r);
    void on_init_producer_id(Conn& c, protocol::Reader& r);
    size_t send(Conn& c, std::span<const uint8_t> frame, protocol::ApiKey key, int16_t version,
                int64_t scheduled);
    void send_produce(Conn& c, int64_t scheduled);
    void send_fetch(Conn& c);
    void send_paced(Conn& c);
    void flush(Conn& c);
    void set_want_out(Conn& c, bool want);
    void mark_ready(Conn& c);
    void fail(Conn& c, const std::string& what);
    void start_load();
    void run_due();
    void wait_events(int64_t until);
    bool finished() const;
    void account_unanswered();
    void error(const std::string& what) { ++stats_.errors[what]; }
    void record_latency(int64_t scheduled, int64_t wire = 0);

    const Options& o_;
    const Frames& frames_;
    sockaddr_in addr_;
    int epoll_;
    std::vector<Conn> conns_;
    Schedule sched_;  // all zero (nothing measured) until run()
    int64_t now_ = 0;
    int64_t period_ns_ = 0;                    // paced produce
    size_t opening_ = 0;                       // connections connecting or waiting for their hello
    size_t outstanding_ = 0;                   // requests in flight on all connections
    size_t pacing_ = 0;                        // connections still pacing
    using Due = std::pair<int64_t, uint32_t>;  // next_due, connection
    std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;
    Stats stats_;
    // A non-null owner makes the codecs borrow records from the read buffer instead of copying
    // them; every decoded response dies before the buffer moves (in handle_frame).
    std::shared_ptr<const void> borrow_ = std::make_shared<int>(0);
};

}  // namespace samsa::loadgen
