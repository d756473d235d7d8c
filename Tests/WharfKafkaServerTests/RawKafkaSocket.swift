import Foundation
import KafkaProtocol
import WharfCore
import WharfTestSupport

/// A client that speaks Kafka frames over a plain blocking socket, so tests can do what real
/// clients never do: pipeline thousands of requests, stop reading, send half a frame. Every
/// blocking call runs on a thread of its own (`offThePool`), never on the cooperative pool the
/// server's workers need, nor on a shared Dispatch queue whose few threads other tests' blocked
/// calls could also be holding while the suites run in parallel.
struct RawKafkaSocket: Sendable {
    let fd: Int32

    /// How long a test waits for an answer or a close that should come at once: long, because
    /// while the suites run in parallel a loaded 2-core machine can stall a listener for
    /// seconds, and a passing test returns as soon as the answer is there.
    static let patience = Duration.seconds(60)

    static func connect(port: Int) async throws -> RawKafkaSocket {
        try await offPool {
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
            return RawKafkaSocket(fd: fd)
        }
    }

    /// Runs blocking socket work on a thread of its own.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await offThePool(body)
    }

    static func request(_ body: KafkaRequestBody, version: Int16, correlationId: Int32 = 1, clientId: String = "raw") -> [UInt8] {
        let header = RequestHeader(requestApiKey: body.apiKey.rawValue, requestApiVersion: version, correlationId: correlationId, clientId: clientId)
        return KafkaFrameDecoder.frame(KafkaRequest(header: header, body: body).encodedPayload())
    }

    /// Closes the descriptor; call it once. (A second close would close whatever socket or file
    /// a concurrently running test has been given the same number since.)
    func close() { Glibc.close(fd) }

    /// Ends the connection both ways while keeping the descriptor, for a test that hangs up
    /// midway and still closes the socket on its way out.
    func shutdown() { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    private func setTimeout(_ option: Int32, _ timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, option, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends `bytes` until all are sent or the socket accepted nothing for `stall`; returns
    /// how many were sent (fewer than `bytes.count` means the peer stopped reading).
    func send(_ bytes: [UInt8], stall: Duration = .seconds(30)) async throws -> Int {
        try await Self.offPool {
            setTimeout(SO_SNDTIMEO, stall)
            var sent = 0
            while sent < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
                if n > 0 {
                    sent += n
                } else if n < 0, errno == EINTR {
                    continue  // a signal (a debugger attaching), not the peer
                } else if n < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                    return sent
                } else {
                    throw WharfError.io("send: \(errno)")
                }
            }
            return sent
        }
    }

    private func receiveExactly(_ count: Int, timeout: Duration) throws -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = out.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress! + got, count - got, 0) }
            if n == 0 { return nil }
            if n < 0, errno == EINTR { continue }
            if n < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                throw WharfError.io("the server sent neither an answer nor a close within \(timeout) (\(got) of \(count) bytes read)")
            }
            if n < 0 { throw WharfError.io("recv: \(String(cString: strerror(errno)))") }
            got += n
        }
        return out
    }

    /// The next response frame's payload; nil when the server closed the connection.
    func receiveFrame(timeout: Duration = patience) async throws -> [UInt8]? {
        try await Self.offPool {
            setTimeout(SO_RCVTIMEO, timeout)
            guard let size = try receiveExactly(4, timeout: timeout) else { return nil }
            let length = Int(Int32(bigEndian: size.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }))
            guard length >= 0 else { throw WharfError.malformed("negative frame size \(length)") }
            return try receiveExactly(length, timeout: timeout)
        }
    }

    /// Sends one request and decodes its answer.
    func roundTrip(_ body: KafkaRequestBody, version: Int16, correlationId: Int32 = 1) async throws -> KafkaResponseBody {
        _ = try await send(Self.request(body, version: version, correlationId: correlationId))
        guard let payload = try await receiveFrame() else { throw WharfError.io("connection closed before the answer") }
        let (id, response) = try KafkaResponse.decode(payload, apiKey: body.apiKey, version: version)
        guard id == correlationId else { throw WharfError.malformed("answer to \(id), expected \(correlationId)") }
        return response
    }

    /// Whether the server closes the connection within `timeout` (reading and dropping any
    /// answers still on their way).
    func isClosedByServer(within timeout: Duration) async throws -> Bool {
        try await Self.offPool {
            let deadline = ContinuousClock.now + timeout
            var buffer = [UInt8](repeating: 0, count: 65536)
            while ContinuousClock.now < deadline {
                setTimeout(SO_RCVTIMEO, .milliseconds(100))
                let n = buffer.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress!, 65536, 0) }
                if n == 0 { return true }
                if n < 0, errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR { return errno == ECONNRESET }
            }
            return false
        }
    }
}
