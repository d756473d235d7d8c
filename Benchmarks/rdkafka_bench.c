/* Produce then consume N records through a Kafka broker with librdkafka (C, no interpreter in
 * the loop), as issue #6's benchmark asks: batching on (linger.ms=5), acks=all.
 *
 * Usage: rdkafka_bench BOOTSTRAP TOPIC RECORDS SIZE
 * Prints one line: produce records/s, p50/p99 produce latency (enqueue to delivery report, ms),
 * consume records/s (first to last record received by a group consumer).
 * Built and run by Benchmarks/rdkafka_bench.sh. */
#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t *sent_at;  /* enqueue time per record, indexed by its opaque */
static int64_t *latency;  /* delivery latency per record (ns), -1 until delivered */
static long delivered, failed;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk; (void)opaque;
    long i = (long)(intptr_t)m->_private;
    if (m->err) { failed++; return; }
    latency[i] = now_ns() - sent_at[i];
    delivered++;
}

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void set(rd_kafka_conf_t *c, const char *k, const char *v) {
    char err[256];
    if (rd_kafka_conf_set(c, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) { fprintf(stderr, "%s: %s\n", k, err); exit(2); }
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s BOOTSTRAP TOPIC RECORDS SIZE\n", argv[0]); return 2; }
    const char *bootstrap = argv[1], *topic = argv[2];
    long n = atol(argv[3]);
    size_t size = (size_t)atol(argv[4]);
    char err[512];
    sent_at = calloc(n, sizeof *sent_at);
    latency = malloc(n * sizeof *latency);
    char *payload = malloc(size);
    memset(payload, 'x', size);

    rd_kafka_conf_t *pc = rd_kafka_conf_new();
    set(pc, "bootstrap.servers", bootstrap);
    set(pc, "acks", "all");
    set(pc, "linger.ms", "5");
    set(pc, "batch.num.messages", "10000");
    set(pc, "queue.buffering.max.messages", "1000000");
    set(pc, "queue.buffering.max.kbytes", "1048576");
    rd_kafka_conf_set_dr_msg_cb(pc, on_delivery);
    rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, pc, err, sizeof err);
    if (!p) { fprintf(stderr, "producer: %s\n", err); return 1; }

    int64_t start = now_ns();
    for (long i = 0; i < n; i++) {
        for (;;) {
            sent_at[i] = now_ns();
            rd_kafka_resp_err_t e = rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(payload, size),
                                                      RD_KAFKA_V_OPAQUE((void *)(intptr_t)i), RD_KAFKA_V_END);
            if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
            if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) { fprintf(stderr, "produce: %s\n", rd_kafka_err2str(e)); return 1; }
            rd_kafka_poll(p, 1);
        }
        if ((i & 1023) == 0) rd_kafka_poll(p, 0);
    }
    rd_kafka_flush(p, 60000);
    double produce_s = (now_ns() - start) / 1e9;
    rd_kafka_destroy(p);
    if (delivered != n) { fprintf(stderr, "delivered %ld of %ld (%ld failed)\n", delivered, n, failed); return 1; }
    qsort(latency, n, sizeof *latency, cmp64);

    rd_kafka_conf_t *cc = rd_kafka_conf_new();
    set(cc, "bootstrap.servers", bootstrap);
    set(cc, "group.id", "rdkafka-bench");
    set(cc, "auto.offset.reset", "earliest");
    set(cc, "enable.auto.commit", "false");
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, cc, err, sizeof err);
    if (!c) { fprintf(stderr, "consumer: %s\n", err); return 1; }
    rd_kafka_poll_set_consumer(c);
    rd_kafka_topic_partition_list_t *subs = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(subs, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(c, subs);
    rd_kafka_topic_partition_list_destroy(subs);
    long got = 0;
    int64_t first = 0, last = 0, give_up = now_ns() + 120LL * 1000000000LL;
    while (got < n && now_ns() < give_up) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);
        if (!m) continue;
        if (!m->err) {
            if (got++ == 0) first = now_ns();
            last = now_ns();
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    if (got != n) { fprintf(stderr, "consumed %ld of %ld\n", got, n); return 1; }
    double consume_s = (last - first) / 1e9;
    printf("records=%ld size=%zu produce=%.0f/s (%.2f s) p50=%.1fms p99=%.1fms consume=%.0f/s (%.2f s)\n", n, size,
           n / produce_s, produce_s, latency[n / 2] / 1e6, latency[(long)(n * 0.99)] / 1e6,
           n / (consume_s > 0 ? consume_s : 1e-9), consume_s);
    return 0;
}
