#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Dispatch

/// A blocking TCP connection with timeouts: the fuzzer needs exact control of the bytes and
/// frame boundaries it sends and a plain answer to "did a response come, or was it closed".
final class FuzzSocket {
    enum Read: Equatable {
        case frame([UInt8])
        case timedOut
        case closed
    }

    /// Responses larger than this are read as a broken connection (the fuzzer never asks for
    /// more, and must not be the one that runs out of memory).
    static let maxResponse = 256 << 20
    private var fd: Int32

    init(host: String, port: Int, timeoutMs: Int) throws(FuzzError) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .io("socket: errno \(errno)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(truncatingIfNeeded: port)).bigEndian
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else { close(fd); throw .io("bad IPv4 address \(host)") }
        setTimeout(ms: timeoutMs)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw .io("connect \(host):\(port): errno \(e)")
        }
    }

    deinit { close(fd) }

    func setTimeout(ms: Int) {
        var tv = timeval(tv_sec: max(0, ms) / 1000, tv_usec: (max(0, ms) % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends all of `bytes`; false if the peer closed or the send timed out.
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { systemSend(fd, $0.baseAddress! + sent, $0.count - sent) }
            if n <= 0 {
                if n < 0 && errno == EINTR { continue }
                return false
            }
            sent += n
        }
        return true
    }

    /// Reads one response frame (size prefix, then payload) within the socket timeout.
    func readFrame() -> Read {
        switch readExactly(4) {
        case .frame(let sizeBytes):
            let size = sizeBytes.withUnsafeBytes { Int(Int32(bigEndian: $0.loadUnaligned(as: Int32.self))) }
            guard size >= 4, size <= Self.maxResponse else { return .closed }
            return readExactly(size)
        case let other: return other
        }
    }

    /// Reads whatever the server sends until it closes, is quiet for the socket timeout, `done`
    /// holds on what arrived, or `maxMs` passes; at most `maxResponse` bytes are kept.
    func readUntil(maxMs: Int, _ done: ([UInt8]) -> Bool = { _ in false }) -> (bytes: [UInt8], closed: Bool) {
        var got: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, maxMs)) * 1_000_000
        while DispatchTime.now().uptimeNanoseconds < deadline {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n == 0 { return (got, true) }
            if n < 0 {
                if errno == EINTR { continue }
                return (got, !(errno == EAGAIN || errno == EWOULDBLOCK))
            }
            if got.count < Self.maxResponse { got += buffer[..<n] }
            if done(got) { break }
        }
        return (got, false)
    }

    private func readExactly(_ count: Int) -> Read {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = out.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
            if n == 0 { return .closed }
            if n < 0 {
                if errno == EINTR { continue }
                return errno == EAGAIN || errno == EWOULDBLOCK ? .timedOut : .closed
            }
            got += n
        }
        return .frame(out)
    }
}

/// The C `send`, outside the class whose own `send` would shadow it.
private func systemSend(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    send(fd, bytes, count, Int32(MSG_NOSIGNAL))
}

enum FuzzError: Error, CustomStringConvertible {
    case io(String)
    case server(String)

    var description: String {
        switch self {
        case .io(let m), .server(let m): m
        }
    }
}
