// samsa_bench: a librdkafka (C API) load generator for bench/run.sh, shaped after Kafka's
// kafka-producer-perf-test and kafka-consumer-perf-test.
//
//   samsa_bench create-topic -b HOST:PORT -t TOPIC [-p PARTITIONS]
//   samsa_bench produce      -b HOST:PORT -t TOPIC -n RECORDS -s BYTES [-a ACKS] [-l LINGER_MS]
//                            [-X key=value]...
//   samsa_bench consume      -b HOST:PORT -t TOPIC -n RECORDS [-p PARTITIONS] [-X key=value]...
//
// produce: N records of S bytes (no key, one constant random payload, no compression) spread
// over the topic's partitions by librdkafka's partitioner. Latency is per record, from
// rd_kafka_produce() to its delivery report, kept in microseconds for exact percentiles.
// consume: the simple (group-less) consumer API: every partition from offset 0 into one queue,
// until N records have arrived. The broker has no group coordinator, and the benchmark wants
// fetch throughput, not rebalancing.
//
// Each run prints a human line like the Kafka tools, then one "RESULT key=value..." line that
// bench/run.sh parses. Exit status: 0 ok, 1 delivery/consume errors, 2 usage.

#include <librdkafka/rdkafka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

// ---- options --------------------------------------------------------------------------------

#define MAX_EXTRA 32

struct options {
    const char* command;
    const char* brokers;
    const char* topic;
    long records;
    long size;
    int acks;
    int linger_ms;
    int partitions;
    int replication_factor;  // create-topic -r
    long rate;               // produce -R: records/s, 0 = as fast as possible
    const char* extra[MAX_EXTRA];  // -X key=value, applied last
    int extra_count;
};

static void usage(FILE* out) {
    fprintf(out,
            "usage: samsa_bench create-topic -b HOST:PORT -t TOPIC [-p PARTITIONS] [-r RF]\n"
            "       samsa_bench produce -b HOST:PORT -t TOPIC -n RECORDS -s BYTES [-a ACKS]\n"
            "                           [-l LINGER_MS] [-R RECORDS_PER_S] [-X key=value]...\n"
            "       samsa_bench consume -b HOST:PORT -t TOPIC -n RECORDS [-p PARTITIONS]\n"
            "                           [-X key=value]...\n"
            "  -a ACKS   1 or -1/all (default 1)        -l LINGER_MS  linger.ms (default 5)\n"
            "  -p N      partitions (default 1)          -X k=v        any librdkafka property\n"
            "  -r RF     replication factor (default 1)  -R N          pace to N records/s\n");
}

static void die(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "samsa_bench: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static long parse_long(const char* s, const char* what) {
    char* end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0') {
        die("%s: '%s' is not a number", what, s);
    }
    return v;
}

static struct options parse_options(int argc, char** argv) {
    struct options o = {.acks = 1, .linger_ms = 5, .partitions = 1, .replication_factor = 1};
    if (argc < 2) {
        usage(stderr);
        exit(2);
    }
    o.command = argv[1];
    if (strcmp(o.command, "-h") == 0 || strcmp(o.command, "--help") == 0) {
        usage(stdout);
        exit(0);
    }
    int c;
    optind = 2;
    while ((c = getopt(argc, argv, "b:t:n:s:a:l:p:r:R:X:h")) != -1) {
        switch (c) {
            case 'b':
                o.brokers = optarg;
                break;
            case 't':
                o.topic = optarg;
                break;
            case 'n':
                o.records = parse_long(optarg, "-n");
                break;
            case 's':
                o.size = parse_long(optarg, "-s");
                break;
            case 'a':
                o.acks = strcmp(optarg, "all") == 0 ? -1 : (int)parse_long(optarg, "-a");
                break;
            case 'l':
                o.linger_ms = (int)parse_long(optarg, "-l");
                break;
            case 'p':
                o.partitions = (int)parse_long(optarg, "-p");
                break;
            case 'r':
                o.replication_factor = (int)parse_long(optarg, "-r");
                break;
            case 'R':
                o.rate = parse_long(optarg, "-R");
                break;
            case 'X':
                if (o.extra_count == MAX_EXTRA || strchr(optarg, '=') == NULL) {
                    die("-X wants key=value (at most %d)", MAX_EXTRA);
                }
                o.extra[o.extra_count++] = optarg;
                break;
            case 'h':
                usage(stdout);
                exit(0);
            default:
                usage(stderr);
                exit(2);
        }
    }
    if (o.brokers == NULL || o.topic == NULL || o.partitions < 1) {
        usage(stderr);
        exit(2);
    }
    return o;
}

// ---- librdkafka helpers ---------------------------------------------------------------------

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void set(rd_kafka_conf_t* conf, const char* key, const char* value) {
    char err[512];
    if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK) {
        die("%s=%s: %s", key, value, err);
    }
}

static void set_long(rd_kafka_conf_t* conf, const char* key, long value) {
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", value);
    set(conf, key, buf);
}

static void apply_extra(rd_kafka_conf_t* conf, const struct options* o) {
    for (int i = 0; i < o->extra_count; ++i) {
        char kv[512];
        snprintf(kv, sizeof kv, "%s", o->extra[i]);
        char* eq = strchr(kv, '=');
        *eq = '\0';
        set(conf, kv, eq + 1);
    }
}

static rd_kafka_t* new_client(rd_kafka_type_t type, rd_kafka_conf_t* conf) {
    char err[512];
    rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
    if (rk == NULL) {
        die("rd_kafka_new: %s", err);
    }
    return rk;
}

// ---- create-topic ---------------------------------------------------------------------------

static int create_topic(const struct options* o) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", o->brokers);
    apply_extra(conf, o);
    rd_kafka_t* rk = new_client(RD_KAFKA_PRODUCER, conf);
    char err[512];
    rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(o->topic, o->partitions, o->replication_factor, err,
                                                sizeof err);
    if (nt == NULL) {
        die("NewTopic: %s", err);
    }
    rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
    rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
    int rc = 1;
    if (ev == NULL) {
        fprintf(stderr, "samsa_bench: CreateTopics timed out\n");
    } else if (rd_kafka_event_error(ev)) {
        fprintf(stderr, "samsa_bench: CreateTopics: %s\n", rd_kafka_event_error_string(ev));
    } else {
        size_t n = 0;
        const rd_kafka_topic_result_t** res =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        rc = 0;
        for (size_t i = 0; i < n; ++i) {
            if (rd_kafka_topic_result_error(res[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
                fprintf(stderr, "samsa_bench: CreateTopics %s: %s\n",
                        rd_kafka_topic_result_name(res[i]),
                        rd_kafka_topic_result_error_string(res[i]));
                rc = 1;
            }
        }
    }
    if (ev != NULL) {
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    if (rc == 0) {
        printf("created topic %s with %d partition(s)\n", o->topic, o->partitions);
    }
    return rc;
}

// ---- produce --------------------------------------------------------------------------------

struct produce_state {
    int64_t* enqueued_us;  // per record, by index (the message opaque)
    int32_t* latency_us;   // per delivered record, in delivery order
    long delivered;
    long failed;
    rd_kafka_resp_err_t first_error;
};

static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* m, void* opaque) {
    (void)rk;
    struct produce_state* st = opaque;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (st->failed++ == 0) {
            st->first_error = m->err;
        }
        return;
    }
    long i = (long)(intptr_t)m->_private;
    int64_t lat = now_us() - st->enqueued_us[i];
    st->latency_us[st->delivered++] = lat > INT32_MAX ? INT32_MAX : (int32_t)lat;
}

static int cmp_i32(const void* a, const void* b) {
    int32_t x = *(const int32_t*)a;
    int32_t y = *(const int32_t*)b;
    return (x > y) - (x < y);
}

static double percentile_ms(const int32_t* sorted, long n, double p) {
    if (n == 0) {
        return 0;
    }
    long i = (long)(p * (double)n);
    if (i >= n) {
        i = n - 1;
    }
    return sorted[i] / 1000.0;
}

static int produce(const struct options* o) {
    if (o->records <= 0 || o->size <= 0) {
        die("produce needs -n RECORDS > 0 and -s BYTES > 0");
    }
    struct produce_state st = {0};
    st.enqueued_us = malloc(sizeof(int64_t) * (size_t)o->records);
    st.latency_us = malloc(sizeof(int32_t) * (size_t)o->records);
    char* payload = malloc((size_t)o->size);
    if (st.enqueued_us == NULL || st.latency_us == NULL || payload == NULL) {
        die("out of memory for %ld records", o->records);
    }
    srand(42);
    for (long i = 0; i < o->size; ++i) {
        payload[i] = (char)('A' + rand() % 26);  // what kafka-producer-perf-test sends
    }

    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", o->brokers);
    set_long(conf, "acks", o->acks);
    set_long(conf, "linger.ms", o->linger_ms);
    // Batches as large as the broker takes (max.message.bytes 1048588): fewer requests. The
    // queue holds 64 MB (twice the Java producer's buffer.memory): dozens of full batches, so
    // produce() seldom waits, yet latency measures the pipeline rather than the time a
    // backlog of the whole run (1 GB at 1 KiB) takes to drain.
    set(conf, "batch.size", "1000000");
    set(conf, "batch.num.messages", "1000000");
    set(conf, "message.max.bytes", "1000000");
    set(conf, "queue.buffering.max.messages", "2000000");
    set(conf, "queue.buffering.max.kbytes", "65536");
    set(conf, "compression.type", "none");
    set(conf, "enable.idempotence", "false");
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, &st);
    apply_extra(conf, o);
    rd_kafka_t* rk = new_client(RD_KAFKA_PRODUCER, conf);
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, o->topic, NULL);

    // Metadata first, so the clock does not include the bootstrap.
    const struct rd_kafka_metadata* md = NULL;
    if (rd_kafka_metadata(rk, 0, rkt, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        die("no metadata for %s", o->topic);
    }
    rd_kafka_metadata_destroy(md);

    double start = now_s();
    const int64_t start_us = now_us();
    for (long i = 0; i < o->records; ++i) {
        if (o->rate > 0) {
            // Paced: record i is due at start + i / rate; latency counts from when it is sent.
            const int64_t due = start_us + (int64_t)((double)i * 1e6 / (double)o->rate);
            for (int64_t now = now_us(); now < due; now = now_us()) {
                rd_kafka_poll(rk, 0);
                if (due - now > 200) {
                    const int64_t ns = (due - now - 100) * 1000;
                    struct timespec ts = {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
                    nanosleep(&ts, NULL);
                }
            }
        }
        st.enqueued_us[i] = now_us();
        while (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, 0, payload, (size_t)o->size, NULL, 0,
                                (void*)(intptr_t)i) != 0) {
            if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                die("produce: %s", rd_kafka_err2str(rd_kafka_last_error()));
            }
            rd_kafka_poll(rk, 1);
            st.enqueued_us[i] = now_us();
        }
        if ((i & 1023) == 0) {
            rd_kafka_poll(rk, 0);
        }
    }
    while (rd_kafka_outq_len(rk) > 0) {
        rd_kafka_poll(rk, 10);
    }
    double elapsed = now_s() - start;

    qsort(st.latency_us, (size_t)st.delivered, sizeof(int32_t), cmp_i32);
    double sum = 0;
    for (long i = 0; i < st.delivered; ++i) {
        sum += st.latency_us[i];
    }
    double rps = (double)st.delivered / elapsed;
    double mbps = rps * (double)o->size / (1024.0 * 1024.0);
    double avg = st.delivered ? sum / (double)st.delivered / 1000.0 : 0;
    double max = st.delivered ? st.latency_us[st.delivered - 1] / 1000.0 : 0;
    double p50 = percentile_ms(st.latency_us, st.delivered, 0.50);
    double p95 = percentile_ms(st.latency_us, st.delivered, 0.95);
    double p99 = percentile_ms(st.latency_us, st.delivered, 0.99);
    double p999 = percentile_ms(st.latency_us, st.delivered, 0.999);
    printf(
        "%ld records sent, %.1f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max "
        "latency, %.2f ms 50th, %.2f ms 95th, %.2f ms 99th, %.2f ms 99.9th.\n",
        st.delivered, rps, mbps, avg, max, p50, p95, p99, p999);
    printf(
        "RESULT mode=produce records=%ld size=%ld acks=%d seconds=%.3f rps=%.0f mbps=%.2f "
        "avg_ms=%.2f max_ms=%.2f p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f p999_ms=%.2f failed=%ld\n",
        st.delivered, o->size, o->acks, elapsed, rps, mbps, avg, max, p50, p95, p99, p999,
        st.failed);
    if (st.failed > 0) {
        fprintf(stderr, "samsa_bench: %ld records failed, first error: %s\n", st.failed,
                rd_kafka_err2str(st.first_error));
    }
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    free(st.enqueued_us);
    free(st.latency_us);
    free(payload);
    return st.failed > 0 ? 1 : 0;
}

// ---- consume --------------------------------------------------------------------------------

struct consume_state {
    long records;
    long bytes;
    long errors;
    long target;
};

static void on_message(rd_kafka_message_t* m, void* opaque) {
    struct consume_state* st = opaque;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        st->records++;
        st->bytes += (long)m->len;
    } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (st->errors++ == 0) {
            fprintf(stderr, "samsa_bench: consume error: %s\n", rd_kafka_message_errstr(m));
        }
    }
}

static int consume(const struct options* o) {
    if (o->records <= 0) {
        die("consume needs -n RECORDS > 0");
    }
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", o->brokers);
    // Large fetches and a deep prefetch queue: the benchmark measures the broker's read path.
    set(conf, "fetch.max.bytes", "104857600");
    set(conf, "max.partition.fetch.bytes", "16777216");
    set(conf, "receive.message.max.bytes", "110000000");
    set(conf, "queued.min.messages", "2000000");
    set(conf, "queued.max.messages.kbytes", "1048576");
    set(conf, "fetch.wait.max.ms", "100");
    set(conf, "enable.partition.eof", "false");
    apply_extra(conf, o);
    rd_kafka_t* rk = new_client(RD_KAFKA_CONSUMER, conf);
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, o->topic, NULL);
    rd_kafka_queue_t* q = rd_kafka_queue_new(rk);

    // Metadata first: consume_start() before the leader is known arms librdkafka's 500 ms
    // offset-query retry timer, which would be most of a short run.
    const struct rd_kafka_metadata* md = NULL;
    if (rd_kafka_metadata(rk, 0, rkt, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        die("no metadata for %s", o->topic);
    }
    rd_kafka_metadata_destroy(md);

    struct consume_state st = {.target = o->records};
    double start = now_s();
    for (int p = 0; p < o->partitions; ++p) {
        if (rd_kafka_consume_start_queue(rkt, p, RD_KAFKA_OFFSET_BEGINNING, q) != 0) {
            die("consume_start %s-%d: %s", o->topic, p, rd_kafka_err2str(rd_kafka_last_error()));
        }
    }
    double first = 0;
    double deadline = start + 600;
    while (st.records < st.target && now_s() < deadline) {
        rd_kafka_consume_callback_queue(q, 100, on_message, &st);
        if (first == 0 && st.records > 0) {
            first = now_s();
        }
    }
    double end = now_s();
    for (int p = 0; p < o->partitions; ++p) {
        rd_kafka_consume_stop(rkt, p);
    }

    double elapsed = end - start;
    double mb = (double)st.bytes / (1024.0 * 1024.0);
    // The fetch phase: from the first record to the last (the whole run if that is too short
    // to measure, e.g. everything arrived in one fetch).
    double fetch_elapsed = first > 0 && end - first > 0.01 ? end - first : elapsed;
    // kafka-consumer-perf-test's columns, in its order.
    printf(
        "data.consumed.in.MB=%.2f MB.sec=%.2f data.consumed.in.nMsg=%ld nMsg.sec=%.1f "
        "first.record.ms=%.0f fetch.MB.sec=%.2f fetch.nMsg.sec=%.1f\n",
        mb, mb / elapsed, st.records, (double)st.records / elapsed, (first - start) * 1000,
        mb / fetch_elapsed, (double)st.records / fetch_elapsed);
    printf(
        "RESULT mode=consume records=%ld bytes=%ld seconds=%.3f rps=%.0f mbps=%.2f "
        "first_ms=%.0f errors=%ld\n",
        st.records, st.bytes, elapsed, (double)st.records / elapsed, mb / elapsed,
        (first - start) * 1000, st.errors);
    rd_kafka_queue_destroy(q);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    if (st.records < st.target) {
        fprintf(stderr, "samsa_bench: only %ld of %ld records before the deadline\n", st.records,
                st.target);
        return 1;
    }
    return st.errors > 0 ? 1 : 0;
}

int main(int argc, char** argv) {
    struct options o = parse_options(argc, argv);
    if (strcmp(o.command, "create-topic") == 0) {
        return create_topic(&o);
    }
    if (strcmp(o.command, "produce") == 0) {
        return produce(&o);
    }
    if (strcmp(o.command, "consume") == 0) {
        return consume(&o);
    }
    usage(stderr);
    return 2;
}
