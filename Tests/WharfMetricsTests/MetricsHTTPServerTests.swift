import Foundation
import Testing
import WharfMetricsServer
import WharfTestSupport

/// The metrics listener through real sockets: what a scrape gets, and that bad requests get a
/// 4xx while the listener keeps serving.
@Suite struct MetricsHTTPServerTests {
    static let body = "# HELP kafka_brokers Number of Brokers in the Kafka Cluster.\n# TYPE kafka_brokers gauge\nkafka_brokers 1\n"

    func withServer(_ limits: MetricsListenerLimits = MetricsListenerLimits(), _ test: (MetricsHTTPServer, Int) async throws -> Void) async throws {
        let server = MetricsHTTPServer(host: "127.0.0.1", port: 0, limits: limits) { Self.body }
        let port = try await server.start()
        do {
            try await test(server, port)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func getMetricsAnswersTheExpositionWithPrometheusContentType() async throws {
        try await withServer { _, port in
            let response = try await RawHTTP.get(port: port)
            #expect(RawHTTP.status(response) == 200)
            #expect(response.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8"))
            #expect(response.contains("Content-Length: \(Self.body.utf8.count)"))
            #expect(RawHTTP.body(response) == Self.body)
        }
    }

    @Test func malformedRequestGets400AndTheListenerKeepsServing() async throws {
        try await withServer { _, port in
            let garbage = try await RawHTTP.exchange(port: port, Array("GARBAGE\u{0}\u{1} nonsense\r\n\r\n".utf8))
            #expect(RawHTTP.status(garbage) == 400)
            let badHeader = try await RawHTTP.exchange(port: port, Array("GET /metrics HTTP/1.1\r\nHost localhost\r\n\r\n".utf8))
            #expect(RawHTTP.status(badHeader) == 400)
            let response = try await RawHTTP.get(port: port)
            #expect(RawHTTP.status(response) == 200)
            #expect(RawHTTP.body(response) == Self.body)
        }
    }

    @Test func unknownPathIs404OtherMethodsAre405() async throws {
        try await withServer { _, port in
            #expect(RawHTTP.status(try await RawHTTP.get(port: port, "/")) == 404)
            #expect(RawHTTP.status(try await RawHTTP.get(port: port, "/metricsx")) == 404)
            // Query strings are ignored, as Prometheus may add some.
            #expect(RawHTTP.status(try await RawHTTP.get(port: port, "/metrics?x=1")) == 200)
            let post = try await RawHTTP.exchange(port: port, Array("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi".utf8))
            #expect(RawHTTP.status(post) == 405)
            #expect(post.contains("Allow: GET, HEAD"))
        }
    }

    @Test func oversizedRequestGets431AndIsClosed() async throws {
        var limits = MetricsListenerLimits()
        limits.maxRequestBytes = 1_024
        try await withServer(limits) { _, port in
            let big = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Filler: \(String(repeating: "a", count: 2_000))\r\n\r\n"
            let response = try await RawHTTP.exchange(port: port, Array(big.utf8))
            #expect(RawHTTP.status(response) == 431)
            #expect(response.contains("Connection: close"))
            // A body over the limit: 413.
            let body = "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n" + String(repeating: "b", count: 2_000)
            #expect(RawHTTP.status(try await RawHTTP.exchange(port: port, Array(body.utf8))) == 413)
            #expect(RawHTTP.status(try await RawHTTP.get(port: port)) == 200)
        }
    }

    @Test func keepAliveServesSeveralScrapesOnOneConnection() async throws {
        try await withServer { _, port in
            let one = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
            let response = try await RawHTTP.exchange(port: port, Array((one + one).utf8), timeoutMs: 30_000) { text in
                text.components(separatedBy: "kafka_brokers 1\n").count == 3
            }
            #expect(response.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
        }
    }

    @Test func aConnectionThatSendsNothingIsClosedAfterTheRequestTimeout() async throws {
        var limits = MetricsListenerLimits()
        limits.requestTimeoutMs = 200
        try await withServer(limits) { _, port in
            let started = Date()
            // Half a request, never finished: the server closes it (recv returns 0) before our 30 s
            // run out (the bound is loose: the parallel suite, with a release build beside it, once
            // stalled this for 22 s; a server that never closed it would take the whole 30 s).
            let response = try await RawHTTP.exchange(port: port, Array("GET /metrics HTTP/1.1\r\n".utf8), timeoutMs: 30_000)
            #expect(response.isEmpty)
            #expect(Date().timeIntervalSince(started) < 29)
        }
    }

    @Test func connectionsBeyondTheLimitAreClosedAtOnce() async throws {
        var limits = MetricsListenerLimits()
        limits.maxConnections = 1
        limits.requestTimeoutMs = 5_000
        try await withServer(limits) { server, port in
            // One connection holds the only slot (a request never finished)...
            async let holder = RawHTTP.exchange(port: port, Array("GET /metrics HTTP/1.1\r\n".utf8))
            var waited = 0
            while server.connectionCount < 1, waited < 5_000 {
                try await Task.sleep(for: .milliseconds(10))
                waited += 10
            }
            #expect(server.connectionCount == 1)
            // ...so the next one is closed without an answer.
            let refused = try await RawHTTP.get(port: port)
            #expect(refused.isEmpty)
            _ = try await holder
            // Once the holder is gone, scrapes are served again.
            var status: Int?
            for _ in 0..<100 where status != 200 {
                status = RawHTTP.status(try await RawHTTP.get(port: port))
                if status != 200 { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(status == 200)
        }
    }
}
