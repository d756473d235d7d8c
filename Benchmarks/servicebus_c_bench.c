/* AMQP 1.0 throughput and latency of `wharf serve`'s Service Bus listener with a compiled client:
 * the C library qpid-proton (Debian's libqpid-proton11-dev), pn_proactor based, no Python in the
 * loop. Built and run by Benchmarks/servicebus_c_bench.sh.
 *
 * Usage: servicebus_c_bench HOST:PORT KEY_NAME KEY QUEUE MODE COUNT [RATE SECONDS]
 *   send     COUNT messages of 100 bytes on one link, up to 1,000 (WINDOW) unsettled (Wharf settles each
 *            with `accepted` once stored), timed from the link's attach to the last `accepted`;
 *   receive  COUNT messages in PEEK_LOCK with a prefetch of 1,000 (PREFETCH), each completed (`accepted`,
 *            settled by the client) as it arrives, timed from the attach to the last completion;
 *   latency  RATE messages/s for SECONDS on one connection, a receiver on another connection
 *            completing them; the delay from just before `send` to the arrival (the send time,
 *            CLOCK_MONOTONIC, is the body's first 8 bytes), p50/p99/max.
 * Each connection authenticates as an SDK does: SASL ANONYMOUS, then a CBS put-token with a SAS
 * token signed by KEY (HMAC-SHA256, OpenSSL) for sb://HOST/QUEUE. Prints one line.
 */
#include <proton/codec.h>
#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/delivery.h>
#include <proton/event.h>
#include <proton/link.h>
#include <proton/message.h>
#include <proton/proactor.h>
#include <proton/sasl.h>
#include <proton/session.h>
#include <proton/terminus.h>
#include <proton/transport.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { BODY_SIZE = 100, LATENCY_PREFETCH = 100 };
/* Unsettled sends at most (the WINDOW environment variable; 1 = an SDK awaiting each send). */
static long window = 1000;
/* The receiver's credit (the PREFETCH environment variable; 1 = an SDK receiving one at a time). */
static long prefetch = 1000;

typedef struct {
    pn_connection_t *connection;
    pn_session_t *session;
    pn_link_t *cbs_out, *cbs_in, *data;
    int token_sent, authorized;
} conn_t;

static pn_proactor_t *proactor;
static conn_t conns[2];
static int nconns, authorized_count, finished;
static const char *host, *key_name, *key, *queue, *mode;
static long count, rate, seconds;
static char audience[512];
static char encoded[512];
static size_t encoded_size;
static long sent, accepted, received;
static uint64_t tag_counter;
static double started, elapsed, began;
static double *delays;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fail(const char *what, const char *detail) {
    fprintf(stderr, "servicebus_c_bench: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(1);
}

/* Percent-encodes everything but unreserved characters (Python's quote(safe="-_.~")). */
static void url_encode(const char *in, char *out, size_t room) {
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && o + 4 < room; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-_.~", *p)) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = 0;
}

/* SharedAccessSignature sr=<resource>&sig=<base64 HMAC-SHA256 of "sr\nexpiry">&se=<expiry>&skn=<name> */
static void sas_token(char *out, size_t room) {
    char sr[1024], to_sign[1100], sig64[128], sig[256];
    long expiry = (long)time(NULL) + 3600;
    url_encode(audience, sr, sizeof sr);
    snprintf(to_sign, sizeof to_sign, "%s\n%ld", sr, expiry);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)to_sign, strlen(to_sign), mac, &mac_len);
    EVP_EncodeBlock((unsigned char *)sig64, mac, (int)mac_len);
    url_encode(sig64, sig, sizeof sig);
    snprintf(out, room, "SharedAccessSignature sr=%s&sig=%s&se=%ld&skn=%s", sr, sig, expiry, key_name);
}

static void put_string(pn_data_t *d, const char *s) { pn_data_put_string(d, pn_bytes(strlen(s), s)); }

static pn_delivery_t *new_delivery(pn_link_t *link) {
    tag_counter++;
    return pn_delivery(link, pn_dtag((const char *)&tag_counter, sizeof tag_counter));
}

static void send_put_token(conn_t *c) {
    char token[2048];
    sas_token(token, sizeof token);
    pn_message_t *m = pn_message();
    pn_atom_t id = {.type = PN_STRING, .u.as_bytes = pn_bytes(3, "cbs")};
    pn_message_set_id(m, id);
    pn_message_set_reply_to(m, "$cbs");
    put_string(pn_message_body(m), token);
    pn_data_t *props = pn_message_properties(m);
    pn_data_put_map(props);
    pn_data_enter(props);
    put_string(props, "operation"); put_string(props, "put-token");
    put_string(props, "type"); put_string(props, "servicebus.windows.net:sastoken");
    put_string(props, "name"); put_string(props, audience);
    pn_data_exit(props);
    new_delivery(c->cbs_out);
    if (pn_message_send(m, c->cbs_out, NULL) < 0) fail("cannot encode the put-token request", NULL);
    pn_message_free(m);
    c->token_sent = 1;
}

/* The 100-byte body (a data section); its first 8 bytes are overwritten with the send time. */
static void encode_message(double stamp) {
    char body[BODY_SIZE];
    memset(body, 'x', sizeof body);
    memcpy(body, &stamp, sizeof stamp);
    pn_message_t *m = pn_message();
    pn_data_put_binary(pn_message_body(m), pn_bytes(sizeof body, body));
    encoded_size = sizeof encoded;
    if (pn_message_encode(m, encoded, &encoded_size) != 0) fail("cannot encode a message", NULL);
    pn_message_free(m);
}

static void send_one(pn_link_t *link) {
    new_delivery(link);
    pn_link_send(link, encoded, encoded_size);
    pn_link_advance(link);
    sent++;
}

static void fill_sender(pn_link_t *link) {
    while (pn_link_credit(link) > 0 && sent < count && sent - accepted < window) send_one(link);
}

static void send_due(void) {
    pn_link_t *link = conns[0].data;
    long total = rate * seconds;
    long due = (long)((now_s() - began) * (double)rate) + 1;
    if (due > total) due = total;
    while (sent < due && pn_link_credit(link) > 0) {
        encode_message(now_s());
        send_one(link);
    }
    if (sent < total) pn_proactor_set_timeout(proactor, 1);
    pn_connection_wake(conns[0].connection);
}

static void finish(void) {
    if (finished) return;
    finished = 1;
    for (int i = 0; i < nconns; i++) pn_connection_close(conns[i].connection);
}

/* Every connection holds a token for QUEUE: attach the measured links. */
static void all_authorized(void) {
    if (strcmp(mode, "send") == 0) {
        conn_t *c = &conns[0];
        c->data = pn_sender(c->session, "bench-sender");
        pn_terminus_set_address(pn_link_target(c->data), queue);
        pn_link_open(c->data);
        encode_message(0);
        started = now_s();
    } else if (strcmp(mode, "receive") == 0) {
        conn_t *c = &conns[0];
        c->data = pn_receiver(c->session, "bench-receiver");
        pn_terminus_set_address(pn_link_source(c->data), queue);
        pn_link_open(c->data);
        pn_link_flow(c->data, (int)(prefetch < count ? prefetch : count));
        started = now_s();
    } else {
        conns[0].data = pn_sender(conns[0].session, "bench-sender");
        pn_terminus_set_address(pn_link_target(conns[0].data), queue);
        pn_link_open(conns[0].data);
        conns[1].data = pn_receiver(conns[1].session, "bench-receiver");
        pn_terminus_set_address(pn_link_source(conns[1].data), queue);
        pn_link_open(conns[1].data);
        pn_link_flow(conns[1].data, LATENCY_PREFETCH);
        began = now_s() + 0.5;
        pn_proactor_set_timeout(proactor, 500);
    }
    /* Called from one connection's events: the other's new links go out only once it is woken. */
    for (int i = 0; i < nconns; i++) pn_connection_wake(conns[i].connection);
}

static conn_t *conn_of(pn_connection_t *pc) {
    for (int i = 0; i < nconns; i++) if (conns[i].connection == pc) return &conns[i];
    fail("event for an unknown connection", NULL);
    return NULL;
}

static void cbs_answer(conn_t *c, pn_delivery_t *d) {
    char buf[4096];
    size_t size = pn_delivery_pending(d);
    if (size > sizeof buf) fail("put-token answer too large", NULL);
    pn_link_recv(c->cbs_in, buf, size);
    pn_message_t *m = pn_message();
    if (pn_message_decode(m, buf, size) != 0) fail("cannot decode the put-token answer", NULL);
    long status = -1;
    pn_data_t *p = pn_message_properties(m);
    pn_data_rewind(p);
    if (pn_data_next(p) && pn_data_type(p) == PN_MAP) {
        pn_data_enter(p);
        while (pn_data_next(p)) {
            pn_bytes_t k = pn_data_type(p) == PN_STRING ? pn_data_get_string(p) : pn_bytes(0, "");
            if (!pn_data_next(p)) break;
            if (k.size == 11 && memcmp(k.start, "status-code", 11) == 0) {
                switch (pn_data_type(p)) {
                case PN_INT: status = pn_data_get_int(p); break;
                case PN_LONG: status = (long)pn_data_get_long(p); break;
                case PN_UINT: status = (long)pn_data_get_uint(p); break;
                default: break;
                }
            }
        }
        pn_data_exit(p);
    }
    pn_message_free(m);
    pn_delivery_settle(d);
    if (status != 200 && status != 202) {
        char s[32];
        snprintf(s, sizeof s, "status-code %ld", status);
        fail("put-token refused", s);
    }
    c->authorized = 1;
    if (++authorized_count == nconns) all_authorized();
}

static void data_arrived(conn_t *c, pn_delivery_t *d) {
    static char buf[1 << 20];
    size_t size = pn_delivery_pending(d);
    ssize_t got = pn_link_recv(c->data, buf, size < sizeof buf ? size : sizeof buf);
    if (strcmp(mode, "latency") == 0 && got > 0) {
        pn_message_t *m = pn_message();
        if (pn_message_decode(m, buf, (size_t)got) == 0) {
            pn_data_t *body = pn_message_body(m);
            pn_data_rewind(body);
            if (pn_data_next(body) && pn_data_type(body) == PN_BINARY) {
                pn_bytes_t b = pn_data_get_binary(body);
                double stamp;
                if (b.size >= sizeof stamp) {
                    memcpy(&stamp, b.start, sizeof stamp);
                    delays[received < count ? received : count - 1] = now_s() - stamp;
                }
            }
        }
        pn_message_free(m);
    }
    pn_delivery_update(d, PN_ACCEPTED);
    pn_delivery_settle(d);
    received++;
    long want = strcmp(mode, "latency") == 0 ? LATENCY_PREFETCH : prefetch;
    /* Never more credit than messages still wanted: a receiver that stops holding the lock of a
     * message it was sent and did not want would leave it locked (60 s) for the others. */
    long credit = pn_link_credit(c->data), wanted = count - received - credit;
    if (credit < (want + 1) / 2 && wanted > 0) pn_link_flow(c->data, (int)(want - credit < wanted ? want - credit : wanted));
    if (received == count) {
        elapsed = now_s() - started;
        finish();
    }
}

static void sender_update(conn_t *c, pn_delivery_t *d) {
    uint64_t state = pn_delivery_remote_state(d);
    pn_link_t *link = pn_delivery_link(d);
    if (link == c->cbs_out) { pn_delivery_settle(d); return; }
    if (state != PN_ACCEPTED) {
        pn_condition_t *cond = pn_disposition_condition(pn_delivery_remote(d));
        fail("a send was not accepted", pn_condition_get_description(cond));
    }
    pn_delivery_settle(d);
    accepted++;
    if (strcmp(mode, "send") == 0) {
        if (accepted == count) {
            elapsed = now_s() - started;
            finish();
        } else {
            fill_sender(link);
        }
    }
}

static void check_condition(const char *where, pn_condition_t *cond) {
    if (pn_condition_is_set(cond) && !finished) {
        char s[1024];
        snprintf(s, sizeof s, "%s %s", pn_condition_get_name(cond), pn_condition_get_description(cond) ? pn_condition_get_description(cond) : "");
        fail(where, s);
    }
}

static int handle(pn_event_t *e) {
    switch (pn_event_type(e)) {
    case PN_CONNECTION_INIT: {
        conn_t *c = conn_of(pn_event_connection(e));
        pn_connection_set_container(c->connection, "servicebus-c-bench");
        pn_connection_set_hostname(c->connection, host);
        pn_connection_open(c->connection);
        c->session = pn_session(c->connection);
        pn_session_open(c->session);
        c->cbs_out = pn_sender(c->session, "cbs-sender");
        pn_terminus_set_address(pn_link_target(c->cbs_out), "$cbs");
        pn_link_open(c->cbs_out);
        c->cbs_in = pn_receiver(c->session, "cbs-receiver");
        pn_terminus_set_address(pn_link_source(c->cbs_in), "$cbs");
        pn_terminus_set_address(pn_link_target(c->cbs_in), "$cbs");
        pn_link_open(c->cbs_in);
        pn_link_flow(c->cbs_in, 10);
        break;
    }
    case PN_LINK_FLOW: {
        pn_link_t *link = pn_event_link(e);
        conn_t *c = conn_of(pn_session_connection(pn_link_session(link)));
        if (link == c->cbs_out && !c->token_sent && pn_link_credit(link) > 0) send_put_token(c);
        else if (link == c->data && pn_link_is_sender(link) && strcmp(mode, "send") == 0) fill_sender(link);
        break;
    }
    case PN_DELIVERY: {
        pn_delivery_t *d = pn_event_delivery(e);
        pn_link_t *link = pn_delivery_link(d);
        conn_t *c = conn_of(pn_session_connection(pn_link_session(link)));
        if (pn_link_is_sender(link)) {
            if (pn_delivery_updated(d)) sender_update(c, d);
        } else if (pn_delivery_readable(d) && !pn_delivery_partial(d)) {
            if (link == c->cbs_in) cbs_answer(c, d);
            else if (link == c->data) data_arrived(c, d);
        }
        break;
    }
    case PN_PROACTOR_TIMEOUT:
        if (!finished && strcmp(mode, "latency") == 0) send_due();
        break;
    case PN_LINK_REMOTE_CLOSE:
    case PN_LINK_REMOTE_DETACH:
        check_condition("link closed by the broker", pn_link_remote_condition(pn_event_link(e)));
        break;
    case PN_CONNECTION_REMOTE_CLOSE:
        check_condition("connection closed by the broker", pn_connection_remote_condition(pn_event_connection(e)));
        break;
    case PN_TRANSPORT_CLOSED:
        check_condition("transport closed", pn_transport_condition(pn_event_transport(e)));
        break;
    case PN_PROACTOR_INACTIVE:
        return 0;
    default:
        break;
    }
    return 1;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 7) {
        fprintf(stderr, "usage: %s HOST:PORT KEY_NAME KEY QUEUE send|receive|latency COUNT [RATE SECONDS]\n", argv[0]);
        return 2;
    }
    char *address = argv[1];
    key_name = argv[2];
    key = argv[3];
    queue = argv[4];
    mode = argv[5];
    count = atol(argv[6]);
    if (getenv("PREFETCH")) prefetch = atol(getenv("PREFETCH")) > 0 ? atol(getenv("PREFETCH")) : 1;
    if (getenv("WINDOW")) window = atol(getenv("WINDOW")) > 0 ? atol(getenv("WINDOW")) : 1;
    rate = argc > 7 ? atol(argv[7]) : 1000;
    seconds = argc > 8 ? atol(argv[8]) : 10;
    char *colon = strrchr(address, ':');
    if (!colon) fail("HOST:PORT expected", address);
    *colon = 0;
    host = address;
    const char *port = colon + 1;
    snprintf(audience, sizeof audience, "sb://%s/%s", host, queue);
    if (strcmp(mode, "latency") == 0) {
        count = rate * seconds;
        delays = calloc((size_t)count, sizeof *delays);
        nconns = 2;
    } else if (strcmp(mode, "send") == 0 || strcmp(mode, "receive") == 0) {
        nconns = 1;
    } else {
        fail("mode must be send, receive or latency", mode);
    }
    if (count <= 0) fail("COUNT must be positive", NULL);

    proactor = pn_proactor();
    char addr[PN_MAX_ADDR];
    pn_proactor_addr(addr, sizeof addr, host, port);
    for (int i = 0; i < nconns; i++) {
        conns[i].connection = pn_connection();
        pn_transport_t *t = pn_transport();
        pn_sasl_t *sasl = pn_sasl(t);
        pn_sasl_allowed_mechs(sasl, "ANONYMOUS");
        pn_proactor_connect2(proactor, conns[i].connection, t, addr);
    }
    int running = 1;
    while (running) {
        pn_event_batch_t *batch = pn_proactor_wait(proactor);
        pn_event_t *e;
        while ((e = pn_event_batch_next(batch))) {
            if (!handle(e)) running = 0;
        }
        pn_proactor_done(proactor, batch);
    }
    pn_proactor_free(proactor);

    if (strcmp(mode, "send") == 0) {
        printf("send     %ld messages in %.2f s: %.0f msg/s (one link, up to %ld unsettled)\n", count, elapsed, (double)count / elapsed, window);
    } else if (strcmp(mode, "receive") == 0) {
        printf("receive  %ld messages received and completed in %.2f s: %.0f msg/s (prefetch %ld)\n", count, elapsed, (double)count / elapsed, prefetch);
    } else {
        long n = received < count ? received : count;
        qsort(delays, (size_t)n, sizeof *delays, compare);
        printf("latency  %ld messages at %ld msg/s: p50 %.3f ms, p99 %.3f ms, max %.3f ms (send to arrival, receiver on another connection)\n",
               n, rate, delays[n / 2] * 1e3, delays[(long)((double)n * 0.99) < n ? (long)((double)n * 0.99) : n - 1] * 1e3, delays[n - 1] * 1e3);
    }
    return 0;
}
