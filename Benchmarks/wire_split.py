"""Splits a loopback capture of a benchmark run into the server's share and the clients' (issue 17).

Usage: python3 Benchmarks/wire_split.py CAPTURE.pcap SERVER_PORT [--packets]

CAPTURE is `tcpdump -i lo -s 0 --time-stamp-precision=nano -w CAPTURE.pcap "tcp port SERVER_PORT"`
taken around one `mqbench` run (`../shared/bench/peer-bench/mqbench.go`). Nothing is attached to
either process, so neither is slowed (strace and perf trace slow both).

Kafka (default): each connection's byte stream is cut into frames. For every request: its last
byte in → its answer's first byte out (the server's share, per API), and the answer out → the
connection's next request in (the client's share between two requests, e.g. sarama's turn-around
with one Produce in flight). For records stamped by mqbench's latency mode (an 8-byte stamp, then
92 'x'): the Produce that carried a record in → the Fetch answer that delivered it out, and the
Produce in → its own answer out.

`--packets` (any protocol, e.g. Redis): a stamped record's first packet into the server → its first
packet out of the server (the delivery), found by the stamp alone.

Both print p10/p50/p90/p99 in microseconds, and the producer's stamp → wire time minus its
minimum (the stamp counts from the harness's start, so only its spread is known).
"""
import collections
import re
import struct
import sys

STAMPED = re.compile(rb'(.{8})x{92}', re.S)
APIS = {0: 'Produce', 1: 'Fetch', 2: 'ListOffsets', 3: 'Metadata', 8: 'OffsetCommit', 9: 'OffsetFetch',
        10: 'FindCoordinator', 18: 'ApiVersions', 19: 'CreateTopics', 20: 'DeleteTopics'}


def percentiles(xs):
    xs = sorted(xs)
    if not xs:
        return 'n=0'
    pick = lambda p: xs[min(len(xs) - 1, int(len(xs) * p / 100))]
    return 'n=%d ' % len(xs) + ' '.join('p%d=%.0f' % (p, pick(p)) for p in (10, 50, 90, 99))


def packets(path):
    """(time in µs, source port, destination port, TCP sequence, payload) of each IPv4 TCP packet."""
    with open(path, 'rb') as f:
        header = f.read(24)
        nano = struct.unpack('<I', header[:4])[0] == 0xa1b23c4d
        link = struct.unpack('<I', header[20:24])[0]
        skip = {1: 14, 113: 16}.get(link, 0)  # Ethernet (Linux loopback), Linux cooked
        while True:
            record = f.read(16)
            if len(record) < 16:
                return
            seconds, fraction, captured, _ = struct.unpack('<IIII', record)
            ip = f.read(captured)[skip:]
            if not ip or ip[0] >> 4 != 4:
                continue
            ihl = (ip[0] & 15) * 4
            tcp = ip[ihl:struct.unpack('>H', ip[2:4])[0]]
            source, destination, sequence = struct.unpack('>HHI', tcp[:8])
            payload = tcp[(tcp[12] >> 4) * 4:]
            if payload:
                yield seconds * 1e6 + (fraction / 1000 if nano else fraction), source, destination, sequence, payload


def streams(path):
    """Each direction's bytes in order, with when each range of them was on the wire."""
    out = collections.defaultdict(lambda: {'bytes': bytearray(), 'times': [], 'next': None})
    for t, source, destination, sequence, payload in packets(path):
        s = out[(source, destination)]
        if s['next'] is not None and (sequence - s['next']) % (1 << 32) > (1 << 31):
            continue  # a retransmission of bytes already taken
        s['next'] = (sequence + len(payload)) % (1 << 32)
        start = len(s['bytes'])
        s['bytes'] += payload
        s['times'].append((start, len(s['bytes']), t))
    return out


def frames(stream, requests):
    """Kafka frames of one direction: first and last byte's time, api key (requests), correlation id."""
    data, times, at, index, out = stream['bytes'], stream['times'], 0, 0, []

    def time_of(offset):
        nonlocal index
        while times[index][1] <= offset:
            index += 1
        return times[index][2]
    while at + 4 <= len(data):
        size = struct.unpack('>i', data[at:at + 4])[0]
        if size < 4 or at + 4 + size > len(data):
            break
        api, correlation = (struct.unpack('>hxxi', data[at + 4:at + 12]) if requests
                            else (None, struct.unpack('>i', data[at + 4:at + 8])[0]))
        out.append({'first': time_of(at), 'last': time_of(at + 3 + size), 'api': api, 'id': correlation,
                    'bytes': bytes(data[at:at + 4 + size])})
        at += 4 + size
    return out


def kafka(path, port):
    by_direction = streams(path)
    server = collections.defaultdict(list)
    client = collections.defaultdict(list)
    produced, acknowledged, delivered = {}, {}, {}
    for (source, destination), stream in list(by_direction.items()):
        if destination != port:
            continue
        answers = {a['id']: a for a in frames(by_direction.get((destination, source), {'bytes': b'', 'times': []}), False)}
        previous_answer = None
        for request in frames(stream, True):
            name = APIS.get(request['api'], str(request['api']))
            answer = answers.get(request['id'])
            if previous_answer is not None:
                client[name].append(request['last'] - previous_answer)
            if answer:
                server[name].append(answer['first'] - request['last'])
                previous_answer = answer['first']
            if request['api'] == 0:
                for m in STAMPED.finditer(request['bytes']):
                    produced.setdefault(m.group(1), request['last'])
                    if answer:
                        acknowledged.setdefault(m.group(1), answer['first'])
            if request['api'] == 1 and answer:
                for m in STAMPED.finditer(answer['bytes']):
                    delivered.setdefault(m.group(1), (answer['first'], request['last']))
    for name in sorted(server):
        print('server: request in -> answer out   %-16s %s' % (name, percentiles(server[name])))
    for name in sorted(client):
        print('client: answer out -> next request in %-14s %s' % (name, percentiles(client[name])))
    records = [k for k in delivered if k in produced]
    if records:
        print('record: Produce in -> Fetch answer out', percentiles([delivered[k][0] - produced[k] for k in records]))
        print('record: Produce in -> its answer out', percentiles([acknowledged[k] - produced[k] for k in acknowledged]))
        late = sum(1 for k in records if delivered[k][1] > produced[k])
        print('records whose Fetch arrived after their Produce: %d of %d' % (late, len(records)))
        stamp_report({k: produced[k] for k in records})


def by_packet(path, port):
    into, out_of = {}, {}
    for t, _, destination, _, payload in packets(path):
        for m in STAMPED.finditer(payload):
            (into if destination == port else out_of).setdefault(m.group(1), t)
    print('server: stamped record in -> out', percentiles([out_of[k] - into[k] for k in out_of if k in into]))
    stamp_report(into)


def stamp_report(wire):
    spread = [t - struct.unpack('<Q', k)[0] / 1000 for k, t in wire.items()]
    least = min(spread)
    print('producer: stamp -> on the wire, minus its minimum', percentiles([x - least for x in spread]))


if __name__ == '__main__':
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    (by_packet if '--packets' in sys.argv[3:] else kafka)(sys.argv[1], int(sys.argv[2]))
