import Foundation

/// A raw TCP connection speaking HTTP/2 frames by hand: the byte-level tests write exactly the
/// frames they mean (the .NET client's idle pings, hostile lengths, garbage) and read frames back.
final class RawH2Socket {
    struct Frame: Equatable {
        var type: UInt8
        var flags: UInt8
        var stream: UInt32
        var payload: [UInt8]
    }

    enum FrameType {
        static let data: UInt8 = 0, headers: UInt8 = 1, settings: UInt8 = 4, ping: UInt8 = 6, goAway: UInt8 = 7, windowUpdate: UInt8 = 8
    }

    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
    private let fd: Int32
    private var buffered: [UInt8] = []

    init(port: Int, timeoutMs: Int = 5_000) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket failed") }
        var tv = timeval(tv_sec: timeoutMs / 1000, tv_usec: (timeoutMs % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure("connect to \(port) failed: errno \(errno)")
        }
    }

    deinit { close(fd) }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure("send failed: errno \(errno)") }
            sent += n
        }
    }

    static func frame(type: UInt8, flags: UInt8 = 0, stream: UInt32 = 0, payload: [UInt8] = [], declaredLength: Int? = nil) -> [UInt8] {
        let length = declaredLength ?? payload.count
        return [UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length),
                type, flags, UInt8(truncatingIfNeeded: stream >> 24), UInt8(truncatingIfNeeded: stream >> 16),
                UInt8(truncatingIfNeeded: stream >> 8), UInt8(truncatingIfNeeded: stream)] + payload
    }

    /// The client preface and an empty SETTINGS frame.
    func handshake() throws {
        try send(Self.preface + Self.frame(type: FrameType.settings))
    }

    /// The next frame, or nil when the server closed the connection (or the read timed out).
    func readFrame() -> Frame? {
        while true {
            if buffered.count >= 9 {
                let length = Int(buffered[0]) << 16 | Int(buffered[1]) << 8 | Int(buffered[2])
                if buffered.count >= 9 + length {
                    let stream = (UInt32(buffered[5]) << 24 | UInt32(buffered[6]) << 16 | UInt32(buffered[7]) << 8 | UInt32(buffered[8])) & 0x7fff_ffff
                    let frame = Frame(type: buffered[3], flags: buffered[4], stream: stream, payload: Array(buffered[9..<(9 + length)]))
                    buffered.removeFirst(9 + length)
                    return frame
                }
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            buffered += chunk[..<n]
        }
    }

    /// Frames until one satisfies `stop` (returned) or the connection ends (nil).
    func readUntil(_ stop: (Frame) -> Bool) -> (match: Frame?, seen: [Frame]) {
        var seen: [Frame] = []
        while let f = readFrame() {
            seen.append(f)
            if stop(f) { return (f, seen) }
        }
        return (nil, seen)
    }
}
