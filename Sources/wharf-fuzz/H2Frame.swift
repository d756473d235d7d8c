/// HTTP/2 frames (RFC 9113 §4) as bytes, for the gRPC fuzzer and its probe.
enum H2Frame {
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    enum Kind: UInt8 {
        case data = 0, headers = 1, priority = 2, rstStream = 3, settings = 4, pushPromise = 5, ping = 6, goAway = 7, windowUpdate = 8, continuation = 9
    }

    /// A frame; `declaredLength` lies about the payload's length when given.
    static func frame(_ type: UInt8, flags: UInt8 = 0, stream: UInt32 = 0, _ payload: [UInt8], declaredLength: Int? = nil) -> [UInt8] {
        let length = UInt32(truncatingIfNeeded: declaredLength ?? payload.count) & 0xff_ffff
        return [UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), type, flags] + be32(stream & 0x7fff_ffff) + payload
    }

    static func settings(_ pairs: [(UInt16, UInt32)], ack: Bool = false) -> [UInt8] {
        frame(Kind.settings.rawValue, flags: ack ? 1 : 0, pairs.flatMap { [UInt8($0.0 >> 8), UInt8($0.0 & 0xff)] + be32($0.1) })
    }

    /// HEADERS with END_HEADERS (and END_STREAM when asked).
    static func headers(stream: UInt32, block: [UInt8], endStream: Bool = false) -> [UInt8] {
        frame(Kind.headers.rawValue, flags: 0x4 | (endStream ? 0x1 : 0), stream: stream, block)
    }

    static func data(stream: UInt32, payload: [UInt8], endStream: Bool) -> [UInt8] {
        frame(Kind.data.rawValue, flags: endStream ? 0x1 : 0, stream: stream, payload)
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }

    /// Whether the server's bytes (after its SETTINGS) hold a HEADERS frame on `stream`.
    static func hasHeaders(onStream stream: UInt32, in bytes: [UInt8]) -> Bool {
        var i = 0
        while bytes.count - i >= 9 {
            let length = Int(bytes[i]) << 16 | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2])
            let id = UInt32(bytes[i + 5] & 0x7f) << 24 | UInt32(bytes[i + 6]) << 16 | UInt32(bytes[i + 7]) << 8 | UInt32(bytes[i + 8])
            if bytes[i + 3] == Kind.headers.rawValue, id == stream { return true }
            i += 9 + length
        }
        return false
    }
}

/// HPACK (RFC 7541) header blocks made only of literals without indexing and without Huffman
/// coding: what any decoder must accept, built without a dynamic table.
enum HPACKLiteral {
    /// An integer with an `prefix`-bit prefix (§5.1), the first byte's high bits set to `high`.
    static func integer(_ value: Int, prefix: Int, high: UInt8 = 0) -> [UInt8] {
        let max = (1 << prefix) - 1
        guard value >= max else { return [high | UInt8(value)] }
        var out = [high | UInt8(max)]
        var rest = value - max
        while rest >= 128 {
            out.append(UInt8(rest % 128 + 128))
            rest /= 128
        }
        out.append(UInt8(rest))
        return out
    }

    static func string(_ bytes: [UInt8]) -> [UInt8] { integer(bytes.count, prefix: 7) + bytes }

    /// One field: literal without indexing, new name (§6.2.2).
    static func field(_ name: String, _ value: String) -> [UInt8] { [0x00] + string(Array(name.utf8)) + string(Array(value.utf8)) }

    /// The headers of a gRPC call to `path`, as the clients send them.
    static func request(path: String, extra: [(String, String)] = []) -> [UInt8] {
        requestFields(path: path, extra: extra).flatMap { field($0.0, $0.1) }
    }

    static func requestFields(path: String, extra: [(String, String)] = []) -> [(String, String)] {
        [(":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "127.0.0.1"),
         ("content-type", "application/grpc"), ("te", "trailers"), ("user-agent", "wharf-fuzz")] + extra
    }
}
