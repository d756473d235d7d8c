#!/usr/bin/env python3
"""Builds the Kafka 4.x response captures in kafka4_responses.txt, field by field from
apache/kafka clients/src/main/resources/common/message/*.json (4.x), for the versions the
client negotiates with a Kafka 4.2 broker. Run: python3 make_fixtures.py > kafka4_responses.txt"""
import struct

def i8(v): return struct.pack('>b', v)
def i16(v): return struct.pack('>h', v)
def i32(v): return struct.pack('>i', v)
def i64(v): return struct.pack('>q', v)
def uvar(n):
    out = b''
    while True:
        b = n & 0x7f; n >>= 7
        if n: out += bytes([b | 0x80])
        else: return out + bytes([b])
def cstr(s): return uvar(0) if s is None else uvar(len(s.encode()) + 1) + s.encode()
def cbytes(b): return uvar(len(b) + 1) + b
def carr(items): return uvar(len(items) + 1) + b''.join(items)
def tags(*fields): return uvar(len(fields)) + b''.join(uvar(t) + uvar(len(v)) + v for t, v in fields)
def hdr0(cid): return i32(cid)
def hdr1(cid): return i32(cid) + tags()

# Kafka 4.2 advertised ranges (reference/kafka-protocol.md section 1).
K42 = [(0, 0, 13), (1, 4, 18), (2, 1, 11), (3, 0, 13), (8, 2, 10), (9, 1, 10), (10, 0, 6), (11, 0, 9), (12, 0, 4),
       (13, 0, 5), (14, 0, 5), (15, 0, 6), (16, 0, 5), (18, 0, 4), (19, 2, 7), (20, 1, 6), (21, 0, 2), (22, 0, 5),
       (23, 2, 4), (32, 1, 4), (42, 0, 2), (68, 0, 1), (69, 0, 1)]

def api_versions_v3():
    keys = [i16(k) + i16(lo) + i16(hi) + tags() for k, lo, hi in K42]
    # SupportedFeatures (tag 0): [{name "metadata.version", min 7, max 27}], as a 4.x broker sends.
    features = carr([cstr('metadata.version') + i16(7) + i16(27) + tags()])
    return hdr0(1) + i16(0) + carr(keys) + i32(0) + tags((0, features), (1, i64(42)))

def metadata_v12():
    broker = i32(1) + cstr('kafka-1.internal') + i32(9092) + cstr(None) + tags()
    uuid = bytes(range(16))
    parts = [i16(0) + i32(p) + i32(1) + i32(5) + carr([i32(1)]) + carr([i32(1)]) + carr([]) + tags() for p in range(2)]
    topic = i16(0) + cstr('orders') + uuid + i8(0) + carr(parts) + i32(-2147483648) + tags()
    return hdr1(2) + i32(0) + carr([broker]) + cstr('MkU3OEVBNTcwNTJENDM2Qg') + i32(1) + carr([topic]) + tags()

def list_offsets_v10():
    parts = [i32(0) + i16(0) + i64(-1) + i64(1200) + i32(5) + tags(), i32(1) + i16(0) + i64(-1) + i64(34) + i32(5) + tags()]
    return hdr1(3) + i32(0) + carr([cstr('orders') + carr(parts) + tags()]) + tags()

def offset_fetch_v9():
    def group(gid, offsets):
        parts = [i32(p) + i64(o) + i32(-1) + cstr('') + i16(0) + tags() for p, o in offsets]
        return cstr(gid) + carr([cstr('orders') + carr(parts) + tags()]) + i16(0) + tags()
    return hdr1(4) + i32(0) + carr([group('billing', [(0, 1000), (1, 30)]), group('audit', [(0, 5)])]) + tags()

def describe_groups_v5():
    assignment = i16(3) + i32(1) + i16(6) + b'orders' + i32(2) + i32(0) + i32(1) + i32(-1)  # ConsumerProtocolAssignment v3
    member = cstr('consumer-1-6f1c') + cstr(None) + cstr('consumer-1') + cstr('/10.0.0.7') + cbytes(b'') + cbytes(assignment) + tags()
    group = i16(0) + cstr('billing') + cstr('Stable') + cstr('consumer') + cstr('range') + carr([member]) + i32(-2147483648) + tags()
    return hdr1(5) + i32(0) + carr([group]) + tags()

def list_groups_v5():
    # A classic group and a KIP-848 ("consumer" type) group, both Stable.
    classic = cstr('billing') + cstr('consumer') + cstr('Stable') + cstr('classic') + tags()
    kip848 = cstr('payments') + cstr('consumer') + cstr('Stable') + cstr('consumer') + tags()
    return hdr1(6) + i32(0) + i16(0) + carr([classic, kip848]) + tags()

def describe_groups_v5_kip848():
    # What a Kafka 4 coordinator answers a classic DescribeGroups v5 for a live KIP-848 group.
    group = i16(0) + cstr('payments') + cstr('Dead') + cstr('') + cstr('') + carr([]) + i32(-2147483648) + tags()
    return hdr1(7) + i32(0) + carr([group]) + tags()

def consumer_group_describe_v0():
    # ConsumerGroupDescribe v0 (KIP-848) for a live consumer-protocol group: one member owning
    # orders/0 and orders/1 (topic id and name), the same as its target assignment.
    uuid = bytes(range(16))
    tps = carr([uuid + cstr('orders') + carr([i32(0), i32(1)]) + tags()])
    assignment = tps + tags()
    member = (cstr('m-7Qx') + cstr(None) + cstr(None) + i32(3) + cstr('consumer-2') + cstr('/10.0.0.8')
              + carr([cstr('orders')]) + cstr(None) + assignment + assignment + tags())
    group = (i16(0) + cstr(None) + cstr('payments') + cstr('Stable') + i32(3) + i32(3) + cstr('uniform')
             + carr([member]) + i32(-2147483648) + tags())
    return hdr1(8) + i32(0) + carr([group]) + tags()

for name, fn in [('ApiVersions v3', api_versions_v3), ('Metadata v12', metadata_v12), ('ListOffsets v10', list_offsets_v10),
                 ('OffsetFetch v9', offset_fetch_v9), ('DescribeGroups v5', describe_groups_v5),
                 ('ListGroups v5', list_groups_v5), ('DescribeGroups v5 KIP-848 group', describe_groups_v5_kip848),
                 ('ConsumerGroupDescribe v0', consumer_group_describe_v0)]:
    print(f'{name}: {fn().hex()}')
