#include "bench/loadgen/worker.h"

#include "broker/protocol/error_code.h"
#include "broker/protocol/generated/api_table.h"
#include "broker/protocol/generated/api_versions_response.h"
#include "broker/protocol/generated/fetch_response.h"
#include "broker/protocol/generated/init_producer_id_response.h"
#include "broker/protocol/generated/list_offsets_response.h"
#include "broker/protocol/generated/produce_response.h"
#include "broker/protocol/generated/response_header.h"
#include "broker/protocol/record_batch.h"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <netinet/tcp.h>
#include <optional>
#include <stdexcept>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace samsa::loadgen {

using protocol::ApiKey;

namespace {

std::string error_key(int16_t code) {
    return std::string(protocol::error_name(static_cast<protocol::ErrorCode>(code))) + "(" +
           std::to_string(code) + ")";
}

std::string errno_key(const char* what, int err) {
    const char* name = strerrorname_np(err);
    return std::string(what) + "(" + (name ? name : std::to_string(err)) + ")";
}

}  // namespace

int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * kNsPerSec + ts.tv_nsec;
}

Schedule Schedule::from(const Options& o, int64_t start) {
    Schedule s;
    s.start = start;
    s.measure_start = start + static_cast<int64_t>(o.warmup_s * 1e9);
    s.measure_end = s.measure_start + static_cast<int64_t>(o.duration_s * 1e9);
    s.drain_end = s.measure_end + static_cast<int64_t>(o.drain_s * 1e9);
    return s;
}

uint64_t Stats::error_count() const {
    uint64_t n = 0;
    for (const auto& [_, count] : errors) {
        n += count;
    }
    return n;
}

void Stats::merge(const Stats& other) {
    latency.merge(other.latency);
    samples.insert(samples.end(), other.samples.begin(), other.samples.end());
    e2e.merge(other.e2e);
    responses += other.responses;
    records += other.records;
    record_bytes += other.record_bytes;
    timeouts += other.timeouts;
    ready += other.ready;
    for (const auto& [name, count] : other.errors) {
        errors[name] += count;
    }
}

sockaddr_in broker_address(const Options& o) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(o.port);
    if (inet_pton(AF_INET, o.host.c_str(), &addr.sin_addr) != 1) {
        throw std::invalid_argument("--bootstrap needs an IPv4 address, got '" + o.host + "'");
    }
    return addr;
}

Worker::Worker(const Options& o, const Frames& frames, const std::vector<int>& ids)
    : o_(o),
      frames_(frames),
      addr_(broker_address(o)),
      epoll_(epoll_create1(EPOLL_CLOEXEC)),
      conns_(ids.size()) {
    if (epoll_ < 0) {
        throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
    }
    if (o.rate > 0) {
        period_ns_ = static_cast<int64_t>(1e9 / o.rate);
    }
    for (size_t i = 0; i < ids.size(); ++i) {
        conns_[i].index = static_cast<uint32_t>(i);
        conns_[i].partition = ids[i] % o.partitions;
        // Spread over the period, so 1,000 connections at 100/s send every 10 us, not in bursts.
        conns_[i].phase_ns = period_ns_ * ids[i] / o.connections;
    }
}

Worker::~Worker() {
    for (auto& c : conns_) {
        if (c.fd >= 0) {
            ::close(c.fd);
        }
    }
    ::close(epoll_);
}

// ---- connections ----------------------------------------------------------------------------

void Worker::start_connect(Conn& c) {
    c.state = State::connecting;
    ++opening_;
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
        fail(c, errno_key("socket", errno));
        return;
    }
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!o_.latency_log.empty()) {
        // The kernel stamps each received segment; recv_stamped() reads the stamp.
        int flags = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
        setsockopt(c.fd, SOL_SOCKET, SO_TIMESTAMPING, &flags, sizeof flags);
    }
    if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&addr_), sizeof addr_) != 0 &&
        errno != EINPROGRESS) {
        fail(c, errno_key("connect_failed", errno));
        return;
    }
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.u32 = c.index;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev);
}

void Worker::finish_connect(Conn& c) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
        fail(c, errno_key("connect_failed", err));
        return;
    }
    c.state = State::hello;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = c.index;
    epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
    if (o_.redis) {
        mark_ready(c);  // RESP has no hello worth timing
        return;
    }
    if (o_.mode == Mode::fetch) {
        send(c, frames_.list_offsets[static_cast<size_t>(c.partition)], ApiKey::list_offsets,
             kListOffsetsVersion, now_);
    } else {
        send(c, frames_.api_versions, ApiKey::api_versions, kApiVersionsVersion, now_);
    }
    flush(c);
}

void Worker::mark_ready(Conn& c) {
    c.state = State::ready;
    --opening_;
}

// Counts the error and closes the connection; what it had in flight is lost.
void Worker::fail(Conn& c, const std::string& what) {
    error(what);
    if (c.state == State::connecting || c.state == State::hello) {
        --opening_;
    }
    if (c.pacing) {
        c.pacing = false;
        --pacing_;
    }
    outstanding_ -= c.in_flight.size();
    c.in_flight.clear();
    if (c.fd >= 0) {
        epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
        ::close(c.fd);
    }
    c.fd = -1;
    c.state = State::closed;
}

void Worker::prepare(int64_t deadline) {
    size_t next = 0;
    while (next < conns_.size() || opening_ > 0) {
        now_ = now_ns();
        if (now_ >= deadline) {
            for (auto& c : conns_) {
                if (c.state == State::connecting || c.state == State::hello) {
                    fail(c, "hello_timeout");
                }
            }
            break;
        }
        while (next < conns_.size() && opening_ < kConnectWindow) {
            start_connect(conns_[next++]);
        }
        wait_events(std::min(deadline, now_ + kNsPerSec / 10));
    }
    stats_.ready = static_cast<int>(std::count_if(
        conns_.begin(), conns_.end(), [](const Conn& c) { return c.state == State::ready; }));
}

// ---- reading responses ----------------------------------------------------------------------

void Worker::on_event(Conn& c, uint32_t events) {
    if (c.state == State::closed) {
        return;  // failed by an earlier event of the same batch
    }
    if (c.state == State::connecting) {
        finish_connect(c);
        return;
    }
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        read_ready(c);
    }
    if (c.state != State::closed && (events & EPOLLOUT)) {
        flush(c);
    }
}

// One recv per readiness (level-triggered: a second one would mostly say EAGAIN), then every
// complete response in the buffer, then one flush for whatever they caused to be sent.
void Worker::read_ready(Conn& c) {
    if (c.in.size() - c.in_len < kMinRead) {
        c.in.resize(std::max(c.in.size() * 2, 2 * kMinRead));
    }
    ssize_t n = o_.latency_log.empty()
                    ? ::recv(c.fd, c.in.data() + c.in_len, c.in.size() - c.in_len, 0)
                    : recv_stamped(c);
    if (n <= 0) {
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            return;
        }
        fail(c, n == 0 ? "closed_by_broker" : errno_key("closed_by_broker", errno));
        return;
    }
    c.in_len += static_cast<size_t>(n);
    size_t need = 0;
    size_t pos = o_.redis ? take_redis_replies(c) : take_kafka_frames(c, need);
    if (c.state == State::closed) {
        return;
    }
    std::memmove(c.in.data(), c.in.data() + pos, c.in_len - pos);
    c.in_len -= pos;
    if (need + kMinRead > c.in.size()) {
        c.in.resize(need + kMinRead);  // a large fetch response: room for all of it
    }
    flush(c);
}

// Handles every complete response in c.in; returns the bytes they took. `need`: the size of
// the incomplete one after them, when its length is known.
size_t Worker::take_kafka_frames(Conn& c, size_t& need) {
    size_t pos = 0;
    while (c.in_len - pos >= 4) {
        int32_t size = protocol::load_be32(c.in.data() + pos);
        if (size < 4) {
            fail(c, "malformed_response");
            return pos;
        }
        need = 4 + static_cast<size_t>(size);
        if (c.in_len - pos < need) {
            break;
        }
        if (!handle_frame(c, {c.in.data() + pos + 4, static_cast<size_t>(size)})) {
            return pos;
        }
        pos += need;
        need = 0;
    }
    return pos;
}

size_t Worker::take_redis_replies(Conn& c) {
    size_t pos = 0;
    while (pos < c.in_len) {
        auto length = redis_reply_length({c.in.data() + pos, c.in_len - pos});
        if (!length || (*length > 0 && c.in_flight.empty())) {
            fail(c, length ? "unsolicited_response" : "malformed_response");
            return pos;
        }
        if (*length == 0) {
            break;
        }
        if (c.in[pos] == '-') {
            error("redis_error");
        }
        InFlight request = c.in_flight.front();
        c.in_flight.pop_front();
        --outstanding_;
        count_answer(c, request);
        produce_answered(c);
        pos += *length;
    }
    return pos;
}

// recv() that also takes the kernel's receive stamp of the bytes read (SO_TIMESTAMPING, the
// newest segment's), converted from CLOCK_REALTIME to CLOCK_MONOTONIC, into c.received_ns.
ssize_t Worker::recv_stamped(Conn& c) {
    iovec iov{c.in.data() + c.in_len, c.in.size() - c.in_len};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(scm_timestamping))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(c.fd, &msg, 0);
    c.received_ns = 0;
    for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); n > 0 && cm != nullptr; cm = CMSG_NXTHDR(&msg, cm)) {
        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_TIMESTAMPING) {
            continue;
        }
        scm_timestamping stamps{};
        std::memcpy(&stamps, CMSG_DATA(cm), sizeof stamps);
        const timespec& rx = stamps.ts[0];  // software
        if (rx.tv_sec == 0 && rx.tv_nsec == 0) {
            continue;
        }
        timespec real{};
        clock_gettime(CLOCK_REALTIME, &real);
        const int64_t mono = now_ns();
        const int64_t real_ns = real.tv_sec * kNsPerSec + real.tv_nsec;
        c.received_ns = rx.tv_sec * kNsPerSec + rx.tv_nsec - (real_ns - mono);
    }
    return n;
}

// False when the connection failed.
bool Worker::handle_frame(Conn& c, std::span<const uint8_t> body) {
    if (c.in_flight.empty()) {
        fail(c, "unsolicited_response");
        return false;
    }
    InFlight request = c.in_flight.front();
    c.in_flight.pop_front();
    --outstanding_;
    try {
        protocol::Reader r(body, borrow_);
        protocol::ResponseHeaderData header;
        header.decode(r, protocol::response_header_version(request.key, request.version));
        if (header.correlation_id != request.correlation_id) {
            fail(c, "wrong_correlation_id");
            return false;
        }
        dispatch(c, request, r);
    } catch (const protocol::DecodeError&) {
        fail(c, "malformed_response");
        return false;
    }
    return c.state != State::closed;
}

void Worker::record_latency(int64_t scheduled, int64_t wire) {
    stats_.latency.record(now_ - scheduled);
    if (!o_.latency_log.empty()) {
        stats_.samples.push_back({scheduled, now_ - scheduled, wire});
    }
}

void Worker::count_answer(const Conn& c, const InFlight& request) {
    // sched_ is all zero during prepare: hellos are never measured.
    if (sched_.measured(request.scheduled_ns)) {
        const bool stamped =
            c.received_ns != 0 && request.sent_ns != 0 && c.received_ns >= request.sent_ns;
        record_latency(request.scheduled_ns, stamped ? c.received_ns - request.sent_ns : 0);
    }
    if (sched_.measured(now_)) {
        ++stats_.responses;
    }
}

void Worker::dispatch(Conn& c, const InFlight& request, protocol::Reader& r) {
    count_answer(c, request);
    switch (request.key) {
        case ApiKey::produce:
            on_produce(c, r);
            break;
        case ApiKey::fetch:
            on_fetch(c, r);
            break;
        case ApiKey::list_offsets:
            on_list_offsets(c, r);
            break;
        case ApiKey::init_producer_id:
            on_init_producer_id(c, r);
            break;
        default:
            on_api_versions(c, r);
            break;
    }
}

void Worker::on_produce(Conn& c, protocol::Reader& r) {
    protocol::ProduceResponseData response;
    response.decode(r, kProduceVersion);
    int partitions = 0;
    for (const auto& topic : response.responses) {
        for (const auto& p : topic.partition_responses) {
            ++partitions;
            if (p.error_code != 0) {
                error(error_key(p.error_code));
            } else if (p.index != c.partition) {
                error("wrong_partition_in_response");
            }
        }
    }
    if (partitions != 1) {
        error("malformed_response");
    }
    produce_answered(c);
}

// The next request a produce answer lets out: closed loop, a new one; paced, the ones the
// in-flight cap held back.
void Worker::produce_answered(Conn& c) {
    if (period_ns_ == 0) {
        if (now_ < sched_.measure_end) {
            send_produce(c, now_);
        }
    } else if (c.blocked) {
        c.blocked = false;
        send_paced(c);
    }
}

void Worker::on_fetch(Conn& c, protocol::Reader& r) {
    protocol::FetchResponseData response;
    response.decode(r, kFetchVersion);
    if (response.error_code != 0) {
        error(error_key(response.error_code));
    }
    for (const auto& topic : response.responses) {
        for (const auto& p : topic.partition_responses) {
            if (p.error_code != 0) {
                error(error_key(p.error_code));
            } else if (!p.record_set.is_null()) {
                count_fetched(c, p.record_set.bytes());
            }
        }
    }
    if (now_ < sched_.measure_end) {
        send_fetch(c);
    }
}

// Moves the connection's offset past the complete batches received and counts their records;
// stamped values give the end-to-end latency.
void Worker::count_fetched(Conn& c, std::span<const uint8_t> records) {
    bool measured = sched_.measured(now_);
    protocol::RecordBatchIterator batches(records);
    while (auto batch = batches.next()) {
        if (batch->next_offset() <= c.fetch_offset) {
            continue;  // starts before the offset asked for
        }
        if (measured) {
            int64_t first = std::max(batch->base_offset(), c.fetch_offset);
            stats_.records += static_cast<uint64_t>(batch->next_offset() - first);
            stats_.record_bytes += static_cast<uint64_t>(batch->size_in_bytes());
        }
        c.fetch_offset = batch->next_offset();
        if (!measured || batch->compression() != protocol::CompressionType::none) {
            continue;
        }
        protocol::RecordIterator it(*batch);
        protocol::Record record;
        while (it.next(record)) {
            int64_t sent = record.value ? read_stamp(*record.value) : -1;
            if (sent >= 0) {
                stats_.e2e.record(now_ - sent);
            }
        }
    }
}

void Worker::on_list_offsets(Conn& c, protocol::Reader& r) {
    protocol::ListOffsetsResponseData response;
    response.decode(r, kListOffsetsVersion);
    if (response.topics.empty() || response.topics[0].partitions.empty()) {
        fail(c, "malformed_response");
        return;
    }
    const auto& p = response.topics[0].partitions[0];
    if (p.error_code != 0) {
        fail(c, "list_offsets:" + error_key(p.error_code));
        return;
    }
    c.fetch_offset = p.offset;
    mark_ready(c);
}

void Worker::on_api_versions(Conn& c, protocol::Reader& r) {
    protocol::ApiVersionsResponseData response;
    response.decode(r, kApiVersionsVersion);
    if (response.error_code != 0) {
        fail(c, "api_versions:" + error_key(response.error_code));
        return;
    }
    if (o_.idempotent) {
        send(c, frames_.init_producer_id, ApiKey::init_producer_id, kInitProducerIdVersion, now_);
        return;  // read_ready flushes it
    }
    mark_ready(c);
}

void Worker::on_init_producer_id(Conn& c, protocol::Reader& r) {
    protocol::InitProducerIdResponseData response;
    response.decode(r, kInitProducerIdVersion);
    if (response.error_code != 0 || response.producer_id < 0) {
        fail(c, "init_producer_id:" + error_key(response.error_code));
        return;
    }
    c.producer = {response.producer_id, response.producer_epoch, 0};
    mark_ready(c);
}

// ---- sending requests -----------------------------------------------------------------------

// Queues a copy of `frame` with the next correlation id; returns where it starts in c.out.
size_t Worker::send(Conn& c, std::span<const uint8_t> frame, ApiKey key, int16_t version,
                    int64_t scheduled) {
    size_t at = c.out.size();
    c.out.insert(c.out.end(), frame.begin(), frame.end());
    int32_t id = c.next_correlation_id;
    c.next_correlation_id = id == INT32_MAX ? 0 : id + 1;  // wraps as Kafka clients' ids do
    if (!o_.redis) {
        protocol::store_be32(c.out.data() + at + kCorrelationIdAt, id);
    }
    c.in_flight.push_back({id, key, version, scheduled});
    ++outstanding_;
    return at;
}

void Worker::send_produce(Conn& c, int64_t scheduled) {
    if (o_.redis) {
        send(c, frames_.redis_command, ApiKey::produce, 0, scheduled);
        return;
    }
    const ProduceFrame& f = frames_.produce[static_cast<size_t>(c.partition)];
    size_t at = send(c, f.bytes, ApiKey::produce, kProduceVersion, scheduled);
    if (f.stamp_at != 0 || o_.idempotent) {
        f.patch(c.out.data() + at, now_ns(), c.producer);
    }
    if (o_.idempotent) {
        c.producer.base_sequence =
            increment_sequence(c.producer.base_sequence, o_.records_per_request);
    }
}

void Worker::send_fetch(Conn& c) {
    const FetchFrame& f = frames_.fetch[static_cast<size_t>(c.partition)];
    size_t at = send(c, f.bytes, ApiKey::fetch, kFetchVersion, now_);
    protocol::store_be64(c.out.data() + at + f.offset_at, c.fetch_offset);
}

// Sends every request of this connection that is due, up to the in-flight cap; those held
// back keep their scheduled time, so the wait counts in their latency.
void Worker::send_paced(Conn& c) {
    while (c.next_due <= now_ && c.next_due < sched_.measure_end) {
        if (c.in_flight.size() >= static_cast<size_t>(o_.in_flight)) {
            c.blocked = true;
            return;
        }
        send_produce(c, c.next_due);
        c.next_due += period_ns_;
    }
    if (c.next_due >= sched_.measure_end) {
        c.pacing = false;
        --pacing_;
        return;
    }
    due_.push({c.next_due, c.index});
}

void Worker::flush(Conn& c) {
    // Taken before the send: on loopback the answer can arrive before send() returns.
    const int64_t sending = o_.latency_log.empty() || c.out_off == c.out.size() ? 0 : now_ns();
    while (c.out_off < c.out.size()) {
        ssize_t n = ::send(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN) {
                set_want_out(c, true);
            } else {
                fail(c, errno_key("closed_by_broker", errno));
            }
            return;
        }
        c.out_off += static_cast<size_t>(n);
    }
    // Every queued request is now with the kernel: its time on the wire started with the send.
    if (sending != 0) {
        for (auto it = c.in_flight.rbegin(); it != c.in_flight.rend() && it->sent_ns == 0; ++it) {
            it->sent_ns = sending;
        }
    }
    c.out.clear();
    c.out_off = 0;
    set_want_out(c, false);
}

void Worker::set_want_out(Conn& c, bool want) {
    if (c.want_out == want) {
        return;
    }
    c.want_out = want;
    epoll_event ev{};
    ev.events = want ? EPOLLIN | EPOLLOUT : EPOLLIN;
    ev.data.u32 = c.index;
    epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
}

// ---- the run --------------------------------------------------------------------------------

void Worker::start_load() {
    for (auto& c : conns_) {
        if (c.state != State::ready || o_.mode == Mode::idle) {
            continue;
        }
        if (o_.mode == Mode::fetch) {
            send_fetch(c);
        } else if (period_ns_ > 0) {
            c.next_due = sched_.start + c.phase_ns;
            c.pacing = true;
            ++pacing_;
            due_.push({c.next_due, c.index});
        } else {
            for (int k = 0; k < o_.in_flight; ++k) {
                send_produce(c, now_);
            }
        }
        flush(c);
    }
}

void Worker::run_due() {
    while (!due_.empty() && due_.top().first <= now_) {
        Conn& c = conns_[due_.top().second];
        due_.pop();
        if (c.state == State::ready && c.pacing) {
            send_paced(c);
            flush(c);
        }
    }
}

// Waits for events until `until` at the latest (epoll_pwait2: a ns timeout, so paced sends
// are not rounded to milliseconds) and handles them.
void Worker::wait_events(int64_t until) {
    std::array<epoll_event, 256> events{};
    int64_t wait = std::max<int64_t>(0, until - now_ns());
    timespec timeout{wait / kNsPerSec, wait % kNsPerSec};
    int n = epoll_pwait2(epoll_, events.data(), static_cast<int>(events.size()), &timeout, nullptr);
    for (int i = 0; i < n; ++i) {
        const epoll_event& ev = events[static_cast<size_t>(i)];
        now_ = now_ns();
        on_event(conns_[ev.data.u32], ev.events);
    }
}

bool Worker::finished() const {
    if (now_ >= sched_.drain_end) {
        return true;
    }
    return now_ >= sched_.measure_end &&
           (o_.mode == Mode::idle || (outstanding_ == 0 && pacing_ == 0));
}

void Worker::run(const Schedule& schedule) {
    if (stats_.ready == 0) {
        return;
    }
    sched_ = schedule;
    now_ = now_ns();
    start_load();
    while (true) {
        now_ = now_ns();
        run_due();
        if (finished()) {
            break;
        }
        int64_t until = now_ < sched_.measure_end ? sched_.measure_end : sched_.drain_end;
        if (!due_.empty()) {
            // Paced sends due within kPacingSlackNs of each other go out on one wake-up: at
            // 100,000 requests/s a wake-up per send would cost the generator more CPU than the
            // broker spends answering. Latency still counts from each send's scheduled time,
            // so the slack shows in the results rather than hiding anything.
            until = std::min(until, due_.top().first + kPacingSlackNs);
        }
        wait_events(until);
    }
    account_unanswered();
}

// Measured requests still unanswered (or, paced, never sent) enter the percentiles with what
// they have waited so far: leaving them out would hide the worst.
void Worker::account_unanswered() {
    auto timed_out = [this](int64_t scheduled) {
        if (sched_.measured(scheduled)) {
            record_latency(scheduled);
            ++stats_.timeouts;
        }
    };
    for (const auto& c : conns_) {
        for (const auto& request : c.in_flight) {
            timed_out(request.scheduled_ns);
        }
        for (int64_t t = c.next_due; c.pacing && t < sched_.measure_end; t += period_ns_) {
            timed_out(t);
        }
    }
}

}  // namespace samsa::loadgen
