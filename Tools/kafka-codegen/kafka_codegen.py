#!/usr/bin/env python3
"""Generates Wharf's Kafka protocol message types from Kafka's JSON message schemas.

Usage (from the repository root):
    python3 Tools/kafka-codegen/kafka_codegen.py ../shared/kafka-schemas

Writes Sources/KafkaProtocol/Generated/*.swift (one file per message, plus ApiKey and the
request/response dispatch enums) and Tests/KafkaProtocolTests/Generated/*.swift (sample values
for the round-trip tests). Python 3 standard library only. See README.md beside this script.
"""
import json
import os
import re
import sys

# The first-version API set (reference/kafka-protocol.md section 11), plus CreatePartitions.
APIS = [
    "Produce", "Fetch", "ListOffsets", "Metadata", "OffsetCommit", "OffsetFetch", "FindCoordinator",
    "JoinGroup", "Heartbeat", "LeaveGroup", "SyncGroup", "DescribeGroups", "ListGroups", "ApiVersions",
    "CreateTopics", "DeleteTopics", "DeleteRecords", "InitProducerId", "OffsetForLeaderEpoch",
    "DescribeConfigs", "CreatePartitions", "DeleteGroups", "ConsumerGroupDescribe", "DescribeLogDirs",
    "SaslHandshake", "SaslAuthenticate", "DescribeUserScramCredentials", "AlterUserScramCredentials",
    "DescribeAcls", "CreateAcls", "DeleteAcls",
    "AlterConfigs", "IncrementalAlterConfigs", "DescribeCluster", "OffsetDelete", "DescribeProducers",
    "AddPartitionsToTxn", "AddOffsetsToTxn", "EndTxn", "TxnOffsetCommit",
    "ConsumerGroupHeartbeat", "DescribeTransactions", "ListTransactions",
]
HEADERS = ["RequestHeader", "ResponseHeader"]

SCALARS = {
    "int8": "Int8", "int16": "Int16", "int32": "Int32", "int64": "Int64", "uint16": "UInt16",
    "uint32": "UInt32", "float64": "Double", "bool": "Bool", "string": "String", "bytes": "[UInt8]",
    "records": "[UInt8]", "uuid": "KafkaUUID",
}
INTS = {"int8", "int16", "int32", "int64", "uint16", "uint32"}
READ_FIXED = {
    "int8": "readInt8()", "int16": "readInt16()", "int32": "readInt32()", "int64": "readInt64()",
    "uint16": "readUInt16()", "uint32": "readUInt32()", "float64": "readFloat64()", "bool": "readBool()",
    "uuid": "readUUID()",
}
WRITE_FIXED = {
    "int8": "writeInt8", "int16": "writeInt16", "int32": "writeInt32", "int64": "writeInt64",
    "uint16": "writeUInt16", "uint32": "writeUInt32", "float64": "writeFloat64", "bool": "writeBool",
    "uuid": "writeUUID",
}
PRIM_ARRAYS = {"int32": "Int32", "int64": "Int64", "string": "String"}
SWIFT_KEYWORDS = {"protocol", "default", "internal", "public", "private", "operator", "repeat", "switch",
                  "case", "class", "struct", "enum", "func", "var", "let", "in", "is", "as", "self", "Type",
                  "extension", "import", "init", "return", "where", "while", "for", "if", "else", "true",
                  "false", "nil", "throw", "throws", "try", "do", "catch", "static", "subscript", "guard"}


def load_schema(path):
    with open(path) as f:
        text = f.read()
    text = re.sub(r"^\s*//.*$", "", text, flags=re.M)
    return json.loads(text)


def parse_versions(s):
    """'3+' -> (3, None); '3-5' -> (3, 5); '4' -> (4, 4); 'none' or None -> None."""
    if s is None or s == "none":
        return None
    if s.endswith("+"):
        return (int(s[:-1]), None)
    if "-" in s:
        lo, hi = s.split("-")
        return (int(lo), int(hi))
    return (int(s), int(s))


def intersect(rng, within):
    if rng is None:
        return None
    lo = max(rng[0], within[0])
    hi = within[1] if rng[1] is None else min(rng[1], within[1])
    return (lo, hi) if lo <= hi else None


def cond(rng, within):
    """A Swift Bool expression for `version in rng`, simplified for versions in `within`."""
    if rng is None or intersect(rng, within) is None:
        return "false"
    parts = []
    if rng[0] > within[0]:
        parts.append("version >= %d" % rng[0])
    if rng[1] is not None and rng[1] < within[1]:
        parts.append("version <= %d" % rng[1])
    return " && ".join(parts) if parts else "true"


def camel(name):
    m = re.match(r"^([A-Z]+)(?=[A-Z][a-z]|$)", name)
    if m and len(m.group(1)) > 1:
        head = m.group(1).lower()
        rest = name[len(m.group(1)):]
        s = head + rest
    else:
        s = name[0].lower() + name[1:]
    return "`%s`" % s if s in SWIFT_KEYWORDS else s


def swift_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def doc(about, indent):
    if not about:
        return []
    return [indent + "/// " + line.strip() for line in about.strip().splitlines() if line.strip()]


class Field:
    def __init__(self, spec, structs, msg_name):
        self.name = spec["name"]
        self.prop = camel(self.name)
        self.type = spec["type"]
        self.about = spec.get("about", "")
        self.versions = parse_versions(spec["versions"])
        self.nullable = parse_versions(spec.get("nullableVersions"))
        self.tag = spec.get("tag")
        self.tagged = parse_versions(spec.get("taggedVersions"))
        self.flex_override = spec.get("flexibleVersions")
        self.default = spec.get("default")
        self.ignorable = spec.get("ignorable", False) in (True, "true")
        self.is_array = self.type.startswith("[]")
        self.elem = self.type[2:] if self.is_array else self.type
        self.is_struct = self.elem not in SCALARS
        if self.is_struct:
            if "fields" in spec:
                structs.append(Struct(self.elem, spec["fields"], spec.get("about", ""), structs, msg_name, self.versions))
        if self.is_array and not self.is_struct and self.elem not in PRIM_ARRAYS:
            sys.exit("unsupported array type %s in %s" % (self.type, msg_name))
        if self.tag is not None and self.tagged != self.versions:
            sys.exit("tagged field %s.%s: versions differ from taggedVersions" % (msg_name, self.name))

    @property
    def optional(self):
        return self.nullable is not None or self.type == "records"

    def swift_type(self):
        base = "[%s]" % (self.elem if self.is_struct else SCALARS[self.elem]) if self.is_array else (
            self.elem if self.is_struct else SCALARS[self.elem])
        return base + "?" if self.optional else base

    def default_expr(self):
        d = self.default if self.default is None else str(self.default)
        if d == "null":
            if not self.optional:
                sys.exit("default null on non-nullable field %s" % self.name)
            return "nil"
        if self.is_array:
            return "[]"
        if self.is_struct:
            return "%s()" % self.elem
        t = self.type
        if t in INTS:
            return str(int(str(d), 0)) if d not in (None, "") else "0"
        if t == "bool":
            return "true" if d == "true" else "false"
        if t == "float64":
            return str(float(d)) if d else "0"
        if t == "string":
            return swift_string(d or "")
        if t == "bytes":
            return "[]"
        if t == "records":
            return "nil"
        if t == "uuid":
            return ".zero"
        sys.exit("no default for " + t)

    def flex(self):
        return "false" if self.flex_override == "none" else "flexible"

    def read_expr(self, reader, within, flex):
        t, nc = self.elem, cond(self.nullable, within)
        if self.is_array:
            if self.is_struct:
                if self.optional:
                    return "try %s.readNullableStructArray(%s.self, compact: %s, nullable: %s, version: version)" % (reader, t, flex, nc)
                return "try %s.readStructArray(%s.self, compact: %s, version: version)" % (reader, t, flex)
            n = PRIM_ARRAYS[t]
            if self.optional:
                return "try %s.readNullable%sArray(compact: %s, nullable: %s)" % (reader, n, flex, nc)
            return "try %s.read%sArray(compact: %s)" % (reader, n, flex)
        if self.is_struct:
            if self.optional:
                return "try %s.readNullableStruct(%s.self, nullable: %s, version: version)" % (reader, t, nc)
            return "try %s(from: &%s, version: version)" % (t, reader)
        if t in READ_FIXED:
            return "try %s.%s" % (reader, READ_FIXED[t])
        if t == "string":
            if self.optional:
                return "try %s.readNullableString(compact: %s, nullable: %s)" % (reader, flex, nc)
            return "try %s.readString(compact: %s)" % (reader, flex)
        if t in ("bytes", "records"):
            if self.optional:
                return "try %s.readNullableBytes(compact: %s, nullable: %s)" % (reader, flex, nc)
            return "try %s.readBytes(compact: %s)" % (reader, flex)
        sys.exit("cannot read " + t)

    def write_stmt(self, out, within, flex):
        t, nc, v = self.elem, cond(self.nullable, within), "self." + self.prop
        if self.is_array:
            if self.is_struct:
                if self.optional:
                    return "%s.writeNullableStructArray(%s, compact: %s, nullable: %s, version: version)" % (out, v, flex, nc)
                return "%s.writeStructArray(%s, compact: %s, version: version)" % (out, v, flex)
            n = PRIM_ARRAYS[t]
            if self.optional:
                return "%s.writeNullable%sArray(%s, compact: %s, nullable: %s)" % (out, n, v, flex, nc)
            return "%s.write%sArray(%s, compact: %s)" % (out, n, v, flex)
        if self.is_struct:
            if self.optional:
                return "%s.writeNullableStruct(%s, nullable: %s, version: version)" % (out, v, nc)
            return "%s.encode(into: &%s, version: version)" % (v, out)
        if t in WRITE_FIXED:
            return "%s.%s(%s)" % (out, WRITE_FIXED[t], v)
        if t == "string":
            if self.optional:
                return "%s.writeNullableString(%s, compact: %s, nullable: %s)" % (out, v, flex, nc)
            return "%s.writeString(%s, compact: %s)" % (out, v, flex)
        if t in ("bytes", "records"):
            if self.optional:
                return "%s.writeNullableBytes(%s, compact: %s, nullable: %s)" % (out, v, flex, nc)
            return "%s.writeBytes(%s, compact: %s)" % (out, v, flex)
        sys.exit("cannot write " + t)


class Struct:
    def __init__(self, name, fields, about, structs, msg_name, versions):
        self.name = name
        self.about = about
        self.versions = versions
        self.fields = [Field(f, structs, msg_name) for f in fields]


def emit_struct(name, fields, within, flexible, indent, header_lines, about):
    """Swift source lines of one struct: properties, inits, decode, encode."""
    i1, i2, i3 = indent + "    ", indent + "        ", indent + "            "
    lines = doc(about, indent) + [indent + l for l in header_lines]
    regular = [f for f in fields if f.tag is None]
    tagged = sorted([f for f in fields if f.tag is not None], key=lambda f: f.tag)
    for f in fields:
        lines += doc(f.about, i1)
        vs = f.versions
        note = "none" if vs is None else ("%d+" % vs[0] if vs[1] is None else "%d-%d" % vs)
        extra = " Tagged (tag %d)." % f.tag if f.tag is not None else ""
        lines.append(i1 + "/// Versions %s.%s" % (note, extra))
        lines.append(i1 + "public var %s: %s = %s" % (f.prop, f.swift_type(), f.default_expr()))
    lines.append("")
    lines.append(i1 + "public init() {}")
    if fields:
        lines.append("")
        params = ", ".join("%s: %s = %s" % (f.prop.strip("`"), f.swift_type(), f.default_expr()) for f in fields)
        lines.append(i1 + "public init(%s) {" % params)
        for f in fields:
            lines.append(i2 + "self.%s = %s" % (f.prop, f.prop))
        lines.append(i1 + "}")
    # decode
    body = []
    for f in regular:
        c = cond(f.versions, within)
        if c == "false":
            continue
        stmt = "self.%s = %s" % (f.prop, f.read_expr("reader", within, f.flex()))
        body += [i2 + stmt] if c == "true" else [i2 + "if %s {" % c, i3 + stmt, i2 + "}"]
    if flexible != "false":
        body.append(i2 + "if flexible {")
        if tagged:
            i4, i5 = i3 + "    ", i3 + "        "
            body.append(i3 + "let tagCount: Int = try reader.readTagCount()")
            body.append(i3 + "for _ in 0..<tagCount {")
            body.append(i4 + "var field: (tag: UInt32, value: ByteReader) = try reader.readTaggedField()")
            body.append(i4 + "switch field.tag {")
            for f in tagged:
                c = cond(f.tagged, within)
                if c == "false":
                    continue
                body.append(i4 + ("case %d:" % f.tag if c == "true" else "case %d where %s:" % (f.tag, c)))
                body.append(i5 + "self.%s = %s" % (f.prop, f.read_expr("field.value", within, "true")))
            body.append(i4 + "default:")
            body.append(i5 + "break")
            body.append(i4 + "}")
            body.append(i3 + "}")
        else:
            body.append(i3 + "try reader.skipTaggedFields()")
        body.append(i2 + "}")
    lines.append("")
    lines.append(i1 + "public init(from reader: inout ByteReader, version: Int16) throws(WharfError) {")
    lines.append(i2 + "self.init()")
    text = "\n".join(body)
    if re.search(r"\bflexible\b", text):
        lines.append(i2 + "let flexible: Bool = %s" % flexible)
    lines += body
    lines.append(i1 + "}")
    # encode
    body = []
    for f in regular:
        c = cond(f.versions, within)
        if c == "false":
            continue
        stmt = f.write_stmt("out", within, f.flex())
        body += [i2 + stmt] if c == "true" else [i2 + "if %s {" % c, i3 + stmt, i2 + "}"]
    if flexible != "false":
        body.append(i2 + "if flexible {")
        if tagged:
            body.append(i3 + "var tagCount: Int = 0")
            live = []
            for f in tagged:
                c = cond(f.tagged, within)
                if c == "false":
                    continue
                live.append(f)
                test = "self.%s != %s" % (f.prop, f.default_expr())
                if c != "true":
                    test = "%s && %s" % (c, test)
                body.append(i3 + "let hasTag%d: Bool = %s" % (f.tag, test))
                body.append(i3 + "if hasTag%d { tagCount += 1 }" % f.tag)
            body.append(i3 + "out.writeUnsignedVarint(tagCount)")
            for f in live:
                i4 = i3 + "    "
                body.append(i3 + "if hasTag%d {" % f.tag)
                body.append(i4 + "var value: [UInt8] = []")
                body.append(i4 + f.write_stmt("value", within, "true"))
                body.append(i4 + "out.writeTaggedField(tag: %d, value: value)" % f.tag)
                body.append(i3 + "}")
        else:
            body.append(i3 + "out.writeUnsignedVarint(0)")
        body.append(i2 + "}")
    lines.append("")
    lines.append(i1 + "public func encode(into out: inout [UInt8], version: Int16) {")
    text = "\n".join(body)
    if re.search(r"\bflexible\b", text):
        lines.append(i2 + "let flexible: Bool = %s" % flexible)
    lines += body
    lines.append(i1 + "}")
    lines += emit_dropped(fields, within, i1)
    lines.append(indent + "}")
    return lines


def emit_dropped(fields, within, i1):
    """`droppedFields(version:)`: what `encode` would lose or alter at a version, where Kafka's
    own serializer throws: a non-default value in a non-ignorable field the version lacks, or a
    null where the version has none. Recurses into nested structs the version carries."""
    i2, i3 = i1 + "    ", i1 + "        "
    body = []
    for f in fields:
        c = cond(f.versions, within)
        present = "true" if c == "true" else ("false" if c == "false" else "(%s)" % c)
        if not f.ignorable and present != "true":
            test = "self.%s != %s" % (f.prop, f.default_expr())
            guard = test if present == "false" else "!%s && %s" % (present, test)
            body.append(i2 + "if %s { dropped.append(%s) }" % (guard, swift_string(f.prop.strip("`"))))
        if present == "false":
            continue
        if f.optional and f.type != "records":
            nc = cond(f.nullable, within)
            if nc != "true":
                guard = "self.%s == nil" % f.prop
                if present != "true":
                    guard = "%s && %s" % (present, guard)
                if nc != "false":
                    guard = "!(%s) && %s" % (nc, guard)
                body.append(i2 + "if %s { dropped.append(%s) }" % (guard, swift_string(f.prop.strip("`") + " (null)")))
        if f.is_struct:
            inner = []
            prefix = swift_string(f.prop.strip("`") + ".")
            if f.is_array:
                items = "self.%s ?? []" % f.prop if f.optional else "self.%s" % f.prop
                inner.append("for item in %s { dropped += item.droppedFields(version: version).map { %s + $0 } }" % (items, prefix))
            elif f.optional:
                inner.append("dropped += (self.%s?.droppedFields(version: version) ?? []).map { %s + $0 }" % (f.prop, prefix))
            else:
                inner.append("dropped += self.%s.droppedFields(version: version).map { %s + $0 }" % (f.prop, prefix))
            if present == "true":
                body += [i2 + l for l in inner]
            else:
                body.append(i2 + "if %s {" % present)
                body += [i3 + l for l in inner]
                body.append(i2 + "}")
    lines = ["", i1 + "/// Field paths `encode(into:version:)` would drop or write as empty at `version`",
             i1 + "/// (Kafka's serializer throws for these); empty when the value fits the version."]
    if not body:
        return lines + [i1 + "public func droppedFields(version: Int16) -> [String] { [] }"]
    lines.append(i1 + "public func droppedFields(version: Int16) -> [String] {")
    lines.append(i2 + "var dropped: [String] = []")
    lines += body
    lines.append(i2 + "return dropped")
    lines.append(i1 + "}")
    return lines


def value_expr(f, msg, within, seed):
    """Swift expressions (variant 0, variant 1) of sample values for field f in the tests."""
    t = f.elem
    if f.is_struct:
        t = msg + "." + t
    nc = cond(f.nullable, within)
    def null_or(empty):
        if f.optional and nc != "false":
            return "nil" if nc == "true" else "(%s ? nil : %s)" % (nc, empty)
        return empty
    if f.is_array:
        if f.is_struct:
            v0 = "[%s.sample(version: version, variant: 0), %s.sample(version: version, variant: 1)]" % (t, t)
        elif t == "string":
            v0 = '["a-%d", "b"]' % seed
        elif t == "int32":
            v0 = "[%d, -1, Int32.max]" % seed
        else:
            v0 = "[%d, -1, Int64.max]" % seed
        return v0, null_or("[]")
    if f.is_struct:
        return "%s.sample(version: version, variant: 0)" % t, null_or("%s.sample(version: version, variant: 1)" % t)
    if t in INTS:
        sw = SCALARS[t]
        d = f.default_expr()
        n = seed % 100 + 2
        if str(n) == d:
            n += 1
        ext = "%s.min" % sw if d != "0" and t.startswith("int") and int(d) > 0 else "%s.max" % sw
        return str(n), ext
    if t == "bool":
        return ("false" if f.default_expr() == "true" else "true"), "true"
    if t == "float64":
        return "1.5", "-2.25"
    if t == "string":
        return '"s-%d"' % seed, null_or('"\\u{00FC}n\\u{00EF}-\\u{1F600}"')
    if t == "bytes":
        return "[1, 2, %d]" % (seed % 256), null_or("[]")
    if t == "records":
        return "[0, 0, 0, 0, %d, 9, 8]" % (seed % 256), null_or("[]")
    if t == "uuid":
        return "KafkaUUID(high: 0x0123456789ABCDEF, low: %d)" % seed, "KafkaUUID(high: UInt64.max, low: UInt64.max)"
    sys.exit("no sample for " + t)


def emit_sample(qualified, msg, fields, within, indent):
    i1, i2 = indent + "    ", indent + "        "
    lines = [indent + "extension %s: Sampled {" % qualified,
             i1 + "static func sample(version: Int16, variant: Int) -> Self {",
             i2 + "var s = Self()"]
    for n, f in enumerate(fields):
        c = cond(f.versions, within)
        if c == "false":
            continue
        seed = sum(map(ord, qualified + f.name)) + n  # deterministic, distinct per field
        v0, v1 = value_expr(f, msg, within, seed)
        stmt = "s.%s = variant == 0 ? %s : %s" % (f.prop, v0, v1)
        lines += [i2 + stmt] if c == "true" else [i2 + "if %s { %s }" % (c, stmt)]
    lines += [i2 + "return s", i1 + "}", indent + "}"]
    return lines


LICENSE_NOTE = ("// Generated by Tools/kafka-codegen/kafka_codegen.py from Apache Kafka's %s.json\n"
                "// (Apache License 2.0). Do not edit; regenerate instead.\n")


def generate_message(schema, out_dir, test_lines):
    name = schema["name"]
    valid = parse_versions(schema["validVersions"])
    flex_rng = parse_versions(schema.get("flexibleVersions"))
    structs = []
    common = {}
    for cs in schema.get("commonStructs", []):
        common[cs["name"]] = Struct(cs["name"], cs["fields"], cs.get("about", ""), structs, name, parse_versions(cs.get("versions", "0+")))
    fields = [Field(f, structs, name) for f in schema["fields"]]
    flexible = cond(flex_rng, valid)
    kind = schema["type"]
    conform = {"request": "KafkaRequestMessage", "response": "KafkaResponseMessage", "header": "KafkaMessage"}[kind]
    header = ["public struct %s: %s {" % (name, conform)]
    inner = []
    if kind != "header":
        api = name[:-len("Request")] if kind == "request" else name[:-len("Response")]
        inner.append("    public static let apiKey: ApiKey = .%s" % camel(api))
        if kind == "request":
            inner.append("    public typealias Response = %sResponse" % api)
    inner.append("    public static let validVersions: ClosedRange<Int16> = %d...%d" % valid)
    inner.append("    public static func isFlexible(version: Int16) -> Bool { %s }" % flexible)
    inner.append("")
    about = "`%s` (%s), versions %d-%d%s." % (name, "API key %d" % schema["apiKey"] if "apiKey" in schema else "header", valid[0], valid[1],
                                               ", flexible from %d" % flex_rng[0] if flex_rng else "")
    lines = [LICENSE_NOTE % name, "import WharfCore", ""]
    body = emit_struct(name, fields, valid, flexible, "", header + inner, about)
    lines += body
    seen = set()
    samples = emit_sample(name, name, fields, valid, "")
    for s in structs + list(common.values()):
        if s.name in seen:
            continue
        seen.add(s.name)
        within = intersect(s.versions, valid) if s.versions else valid
        if within is None:
            within = valid
        lines.append("")
        lines.append("extension %s {" % name)
        lines += emit_struct(s.name, s.fields, within, flexible, "    ", ["public struct %s: KafkaStruct {" % s.name], s.about)
        lines.append("}")
        samples += [""] + emit_sample("%s.%s" % (name, s.name), name, s.fields, within, "")
    with open(os.path.join(out_dir, name + ".swift"), "w") as f:
        f.write("\n".join(lines) + "\n")
    test_lines += samples + [""]
    return schema.get("apiKey"), valid, flex_rng


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    schema_dir = sys.argv[1]
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    src_dir = os.path.join(root, "Sources", "KafkaProtocol", "Generated")
    test_dir = os.path.join(root, "Tests", "KafkaProtocolTests", "Generated")
    for d in (src_dir, test_dir):
        os.makedirs(d, exist_ok=True)
        for old in os.listdir(d):
            if old.endswith(".swift"):
                os.remove(os.path.join(d, old))
    apis = []
    for api in APIS:
        test_lines = ["// Generated by Tools/kafka-codegen/kafka_codegen.py. Do not edit; regenerate instead.",
                      "@testable import KafkaProtocol", ""]
        key = None
        for kind in ("Request", "Response"):
            schema = load_schema(os.path.join(schema_dir, api + kind + ".json"))
            key, valid, flex = generate_message(schema, src_dir, test_lines)
        apis.append((api, key, valid, flex))
        with open(os.path.join(test_dir, api + "+Samples.swift"), "w") as f:
            f.write("\n".join(test_lines).rstrip() + "\n")
    test_lines = ["// Generated by Tools/kafka-codegen/kafka_codegen.py. Do not edit; regenerate instead.",
                  "@testable import KafkaProtocol", ""]
    for h in HEADERS:
        generate_message(load_schema(os.path.join(schema_dir, h + ".json")), src_dir, test_lines)
    with open(os.path.join(test_dir, "Headers+Samples.swift"), "w") as f:
        f.write("\n".join(test_lines).rstrip() + "\n")
    apis.sort(key=lambda a: a[1])
    emit_dispatch(apis, src_dir, test_dir)


def emit_dispatch(apis, src_dir, test_dir):
    gen = "// Generated by Tools/kafka-codegen/kafka_codegen.py. Do not edit; regenerate instead.\n"
    L = [gen, "/// The API keys this module has codecs for (the request header's `request_api_key`).",
         "public enum ApiKey: Int16, Sendable, CaseIterable, Hashable {"]
    for api, key, _, _ in apis:
        L.append("    case %s = %d" % (camel(api), key))
    L += ["", "    /// The versions the schemas define (Wharf advertises a subset, see `ApiVersionRanges`).",
          "    public var schemaVersions: ClosedRange<Int16> {", "        switch self {"]
    for api, key, valid, _ in apis:
        L.append("        case .%s: %d...%d" % (camel(api), valid[0], valid[1]))
    L += ["        }", "    }", "",
          "    /// Whether requests and responses of `version` use the flexible encoding.",
          "    public func isFlexible(version: Int16) -> Bool {", "        switch self {"]
    for api, key, valid, _ in apis:
        L.append("        case .%s: %sRequest.isFlexible(version: version)" % (camel(api), api))
    L += ["        }", "    }", "}", ""]
    with open(os.path.join(src_dir, "ApiKey.swift"), "w") as f:
        f.write("\n".join(L))
    for kind in ("Request", "Response"):
        L = [gen, "import WharfCore", "",
             "/// Any %s body of the supported APIs, for code that handles them uniformly." % kind.lower(),
             "public enum Kafka%sBody: Sendable, Equatable {" % kind]
        for api, _, _, _ in apis:
            L.append("    case %s(%s%s)" % (camel(api), api, kind))
        L += ["", "    public var apiKey: ApiKey {", "        switch self {"]
        for api, _, _, _ in apis:
            L.append("        case .%s: .%s" % (camel(api), camel(api)))
        L += ["        }", "    }", "",
              "    /// Decodes the body of `apiKey` at `version`; the caller has checked the version.",
              "    public init(apiKey: ApiKey, version: Int16, from reader: inout ByteReader) throws(WharfError) {",
              "        switch apiKey {"]
        for api, _, _, _ in apis:
            L.append("        case .%s: self = .%s(try %s%s(from: &reader, version: version))" % (camel(api), camel(api), api, kind))
        L += ["        }", "    }", "",
              "    public func encode(into out: inout [UInt8], version: Int16) {", "        switch self {"]
        for api, _, _, _ in apis:
            L.append("        case .%s(let body): body.encode(into: &out, version: version)" % camel(api))
        L += ["        }", "    }", "}", ""]
        with open(os.path.join(src_dir, "Kafka%sBody.swift" % kind), "w") as f:
            f.write("\n".join(L))
    L = [gen, "@testable import KafkaProtocol", "",
         "/// Every generated message type, for the round-trip, truncation and fuzz tests.",
         "let allMessageTypes: [any SampledMessage.Type] = ["]
    for api, _, _, _ in apis:
        L.append("    %sRequest.self, %sResponse.self," % (api, api))
    L += ["    RequestHeader.self, ResponseHeader.self,", "]", ""]
    with open(os.path.join(test_dir, "AllMessageTypes.swift"), "w") as f:
        f.write("\n".join(L))


if __name__ == "__main__":
    main()
