import Foundation
import WharfAMQP
import WharfCore
import WharfTestSupport

/// A client that speaks raw AMQP frames over a blocking socket, so tests can do what the SDKs
/// never do (tiny frames, garbage, hostile sizes). Blocking calls run off the cooperative pool.
struct RawAMQPSocket: Sendable {
    let fd: Int32

    static func connect(port: Int) async throws -> RawAMQPSocket {
        try await offThePool {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw WharfError.io("socket: \(errno)") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard rc == 0 else {
                Glibc.close(fd)
                throw WharfError.io("connect: \(errno)")
            }
            // Generous: the parallel suite can stall a loaded 2-core machine for seconds; a server
            // that never answers still fails the test, only later.
            var tv = timeval(tv_sec: 30, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            return RawAMQPSocket(fd: fd)
        }
    }

    func close() { Glibc.close(fd) }

    func send(_ bytes: [UInt8]) async throws {
        try await offThePool {
            var sent = 0
            while sent < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { throw WharfError.io("send: \(errno)") }
                sent += n
            }
        }
    }

    func send(channel: UInt16 = 0, _ p: Performative, payload: [UInt8] = []) async throws {
        try await send(AMQPFrame(channel: channel, performative: p.value, payload: payload).encoded())
    }

    private func receiveExactly(_ count: Int) throws -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = out.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress! + got, count - got, 0) }
            if n == 0 { return nil }
            if n < 0 { throw WharfError.io("recv: \(errno)") }
            got += n
        }
        return out
    }

    /// The 8-byte protocol header; nil when the server closed.
    func receiveHeader() async throws -> [UInt8]? {
        try await offThePool { try receiveExactly(8) }
    }

    /// The next frame; nil when the server closed the connection.
    func receiveFrame() async throws -> AMQPFrame? {
        try await offThePool {
            guard let head = try receiveExactly(8) else { return nil }
            let size = Int(head.withUnsafeBytes { $0.loadBigEndian(at: 0, as: UInt32.self) })
            guard size >= 8, let rest = size == 8 ? [] : try receiveExactly(size - 8) else { return nil }
            let bytes = head + rest
            let parsed = try bytes.withBytes { (raw) throws(WharfError) in try AMQPFraming.parse(raw, expectHeader: false, maxFrameSize: .max) }
            guard case (.frame(let f), _)? = parsed else {
                throw WharfError.malformed("not a frame")
            }
            return f
        }
    }

    /// The next performative (heartbeats skipped) with its payload.
    func receive() async throws -> (Performative, [UInt8])? {
        while let f = try await receiveFrame() {
            if f.isHeartbeat { continue }
            let (p, payload) = try f.split()
            return (try Performative(p), payload)
        }
        return nil
    }

    /// Whether the server closes the connection (reading and dropping what it still sends).
    func isClosedByServer() async throws -> Bool {
        try await offThePool {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress!, 65536, 0) }
                if n == 0 { return true }
                if n < 0 { return errno == ECONNRESET }
            }
        }
    }
}
