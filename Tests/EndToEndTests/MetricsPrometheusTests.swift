import Foundation
import Testing
import WharfTestSupport

/// Issue 18: a real Prometheus (Debian's `prometheus` package) scrapes `wharf serve
/// --metrics-listen` while a consumer group lags and returns its exact lag under kafka_exporter's
/// `kafka_consumergroup_lag`; `promtool check metrics` accepts what is served; `wharf exporter
/// --bootstrap` serves the same families for a cluster it reaches over the wire.
@Suite(.serialized, .endToEnd) struct MetricsPrometheusTests {
    /// A background `wharf` (serve or exporter) and the ports its first output lines name.
    final class Background {
        let process: SpawnedProcess

        init(_ args: [String], dir: TempDir) throws {
            process = try SpawnedProcess([WharfProcess.binary] + args, out: dir.path + "/\(args[0]).out", err: dir.path + "/\(args[0]).err")
        }

        /// The port in the first line of stdout matching `pattern` (a regex with one `(\d+)`).
        func port(_ pattern: String) async throws -> Int {
            for _ in 0..<600 {
                let out = process.stdout
                if let r = out.range(of: pattern, options: .regularExpression),
                   let digits = out[r].range(of: #"\d+(?=\D*$)"#, options: .regularExpression), let port = Int(out[r][digits]) {
                    return port
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw TmuxError("no port matching \(pattern) in: \(process.stdout) \(process.stderr)")
        }

        func stop() async throws -> Int32 {
            kill(process.pid, SIGTERM)
            return try await process.exit()
        }
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Creates `orders` (one partition), appends `records`, and has group `billing` consume and
    /// commit `consumed` of them, all through the CLI on `dir`.
    static func laggingGroup(_ dir: TempDir, records: Int, consumed: Int) async throws {
        let d = ["--data", dir.path + "/data"]
        var r = try await WharfProcess.run(["topic", "create", "orders", "--partitions", "1"] + d)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await WharfProcess.run(["produce", "orders"] + d, stdin: (0..<records).map { "order-\($0)" }.joined(separator: "\n") + "\n")
        #expect(r.status == 0, "\(r.stderr)")
        r = try await WharfProcess.run(["consume", "orders", "--group", "billing", "--max", "\(consumed)"] + d)
        #expect(r.status == 0 && r.lines.count == consumed, "\(r.stderr)")
    }

    /// The value of a one-series instant query, or nil until Prometheus has one.
    static func query(_ promPort: Int, _ promQL: String) async throws -> String? {
        let encoded = promQL.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? promQL
        // Refused until Prometheus has started: nil, as before its first scrape.
        guard let response = try? await RawHTTP.get(port: promPort, "/api/v1/query?query=\(encoded)"), RawHTTP.status(response) == 200,
              let json = try? JSONSerialization.jsonObject(with: Data(RawHTTP.body(response).utf8)) as? [String: Any],
              let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]], result.count == 1,
              let value = result[0]["value"] as? [Any], value.count == 2 else { return nil }
        return value[1] as? String
    }

    /// Polls until `promQL` returns `expected` (Prometheus scrapes every second); returns the last value seen.
    static func awaitQuery(_ promPort: Int, _ promQL: String, equals expected: String) async throws -> String? {
        var last: String?
        for _ in 0..<120 {
            last = try await query(promPort, promQL)
            if last == expected { return last }
            try await Task.sleep(for: .milliseconds(500))
        }
        return last
    }

    @Test func prometheusScrapesServeAndReturnsTheExactGroupLag() async throws {
        let dir = TempDir()
        try await Self.laggingGroup(dir, records: 30, consumed: 12)
        let serve = try Background(["serve", "--data", dir.path + "/data", "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
                                    "--metrics-refresh", "200", "--group-initial-rebalance-delay-ms", "0"], dir: dir)
        let kafkaPort = try await serve.port(#"serving Kafka on 127\.0\.0\.1:\d+"#)
        let metricsPort = try await serve.port(#"metrics on http://127\.0\.0\.1:\d+"#)

        let promPort = try Self.freePort()
        let config = """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: wharf
                static_configs:
                  - targets: ["127.0.0.1:\(metricsPort)"]
            """
        try config.write(toFile: dir.path + "/prometheus.yml", atomically: true, encoding: .utf8)
        let prometheus = try SpawnedProcess(["/usr/bin/prometheus", "--config.file=\(dir.path)/prometheus.yml",
                                             "--storage.tsdb.path=\(dir.path)/tsdb", "--web.listen-address=127.0.0.1:\(promPort)"],
                                            out: dir.path + "/prometheus.out", err: dir.path + "/prometheus.err")
        do {
            try await Self.checkScrapes(promPort: promPort, kafkaPort: kafkaPort, metricsPort: metricsPort, prometheus: prometheus)
        } catch {
            kill(prometheus.pid, SIGTERM)
            _ = try? await prometheus.exit()
            _ = try? await serve.stop()
            throw error
        }
        kill(prometheus.pid, SIGTERM)
        _ = try await prometheus.exit()
        #expect(try await serve.stop() == 0)
    }

    static func checkScrapes(promPort: Int, kafkaPort: Int, metricsPort: Int, prometheus: SpawnedProcess) async throws {
        let lag = "kafka_consumergroup_lag{consumergroup=\"billing\",topic=\"orders\",partition=\"0\"}"
        let first = try await awaitQuery(promPort, lag, equals: "18")
        #expect(first == "18", "\(prometheus.stderr.suffix(2_000))")

        // Five more through the listener (kcat): the lag Prometheus reads follows, and the
        // request and append histograms counted them.
        let kcat = try await WharfProcess.run(["-b", "127.0.0.1:\(kafkaPort)", "-t", "orders", "-P"], stdin: "a\nb\nc\nd\ne\n",
                                              executable: "/usr/bin/kcat")
        #expect(kcat.status == 0, "\(kcat.stderr)")
        #expect(try await awaitQuery(promPort, lag, equals: "23") == "23")
        #expect(try await awaitQuery(promPort, "kafka_consumergroup_lag_sum{consumergroup=\"billing\",topic=\"orders\"}", equals: "23") == "23")
        #expect(try await awaitQuery(promPort, "kafka_topic_partition_current_offset{topic=\"orders\",partition=\"0\"}", equals: "35") == "35")

        let scrape = RawHTTP.body(try await RawHTTP.get(port: metricsPort))
        let produced = scrape.split(separator: "\n").first { $0.hasPrefix("wharf_kafka_request_duration_seconds_count{api=\"Produce\"}") }
        #expect(produced.map { (Int($0.split(separator: " ").last ?? "") ?? 0) >= 1 } == true, "\(scrape)")
        #expect(scrape.contains("wharf_log_append_duration_seconds_count "))
        #expect(scrape.contains("wharf_listener_connections{listener=\"kafka\"} "))
        let problems = try await Promtool.checkMetrics(scrape)
        #expect(problems.isEmpty, "promtool: \(problems)")

        // A malformed request gets 400, and the next scrape is served.
        let bad = try await RawHTTP.exchange(port: metricsPort, Array("BLAH\u{1}\r\n\r\n".utf8))
        #expect(RawHTTP.status(bad) == 400)
        #expect(RawHTTP.status(try await RawHTTP.get(port: metricsPort)) == 200)
    }

    /// `wharf_listener_connections` counts the AMQP and EventStoreDB gRPC listeners' clients
    /// too, labelled as the dashboard's header names them: a client connected to each shows as
    /// 1 while it stays, 0 once it left.
    @Test func listenerConnectionsCountTheAMQPAndGRPCListeners() async throws {
        let dir = TempDir()
        let serve = try Background(["serve", "--data", dir.path + "/data", "--listen", "127.0.0.1:0", "--amqp-listen", "127.0.0.1:0",
                                    "--esdb-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"], dir: dir)
        let amqpPort = try await serve.port(#"serving AMQP \(Service Bus\) on 127\.0\.0\.1:\d+"#)
        let grpcPort = try await serve.port(#"serving EventStoreDB gRPC on 127\.0\.0\.1:\d+"#)
        let metricsPort = try await serve.port(#"metrics on http://127\.0\.0\.1:\d+"#)
        func connections() async throws -> [String: Int] {
            let scrape = RawHTTP.body(try await RawHTTP.get(port: metricsPort))
            var out: [String: Int] = [:]
            for line in scrape.split(separator: "\n") where line.hasPrefix("wharf_listener_connections{listener=\"") {
                let label = line.split(separator: "\"")[1]
                out[String(label)] = Int(line.split(separator: " ").last ?? "")
            }
            return out
        }
        #expect(try await connections() == ["kafka": 0, "amqp": 0, "grpc": 0])
        // Each client holds its connection for a while: the gRPC one after the HTTP/2 preface,
        // the AMQP one after its protocol header.
        async let grpc = RawHTTP.exchange(port: grpcPort, Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + [0, 0, 0, 4, 0, 0, 0, 0, 0], timeoutMs: 3_000)
        async let amqp = RawHTTP.exchange(port: amqpPort, [0x41, 0x4d, 0x51, 0x50, 0, 1, 0, 0], timeoutMs: 3_000)
        var seen: [String: Int] = [:]
        for _ in 0..<100 where seen["grpc"] != 1 || seen["amqp"] != 1 {
            try await Task.sleep(for: .milliseconds(20))
            seen = try await connections()
        }
        #expect(seen == ["kafka": 0, "amqp": 1, "grpc": 1])
        _ = try await (grpc, amqp)
        for _ in 0..<200 where seen["grpc"] != 0 || seen["amqp"] != 0 {
            try await Task.sleep(for: .milliseconds(20))
            seen = try await connections()
        }
        #expect(seen == ["kafka": 0, "amqp": 0, "grpc": 0])
        #expect(try await serve.stop() == 0)
    }

    @Test func exporterServesTheSameFamiliesForAClusterOverBootstrap() async throws {
        let dir = TempDir()
        try await Self.laggingGroup(dir, records: 30, consumed: 12)
        let serve = try Background(["serve", "--data", dir.path + "/data", "--listen", "127.0.0.1:0",
                                    "--group-initial-rebalance-delay-ms", "0"], dir: dir)
        let kafkaPort = try await serve.port(#"serving Kafka on 127\.0\.0\.1:\d+"#)
        let exporter = try Background(["exporter", "--bootstrap", "127.0.0.1:\(kafkaPort)", "--metrics-listen", "127.0.0.1:0",
                                       "--metrics-refresh", "200"], dir: dir)
        do {
            try await Self.checkExporter(exporter, serve: serve)
        } catch {
            _ = try? await exporter.stop()
            _ = try? await serve.stop()
            throw error
        }
        #expect(try await exporter.stop() == 0)
    }

    static func checkExporter(_ exporter: Background, serve: Background) async throws {
        let metricsPort = try await exporter.port(#"metrics on http://127\.0\.0\.1:\d+"#)
        var scrape = ""
        for _ in 0..<200 {
            scrape = RawHTTP.body(try await RawHTTP.get(port: metricsPort))
            if scrape.contains("kafka_consumergroup_lag{consumergroup=\"billing\",topic=\"orders\",partition=\"0\"} 18") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let lines = Set(scrape.split(separator: "\n").map(String.init))
        for expected in [
            "kafka_consumergroup_lag{consumergroup=\"billing\",topic=\"orders\",partition=\"0\"} 18",
            "kafka_consumergroup_current_offset{consumergroup=\"billing\",topic=\"orders\",partition=\"0\"} 12",
            "kafka_consumergroup_lag_sum{consumergroup=\"billing\",topic=\"orders\"} 18",
            "kafka_topic_partition_current_offset{topic=\"orders\",partition=\"0\"} 30",
            "kafka_topic_partition_leader{topic=\"orders\",partition=\"0\"} 0",
            "kafka_topic_partition_replicas{topic=\"orders\",partition=\"0\"} 1",
            "kafka_topic_partition_in_sync_replica{topic=\"orders\",partition=\"0\"} 1",
            "kafka_brokers 1",
            "wharf_source_up 1",
        ] {
            #expect(lines.contains(expected), "missing \(expected) in:\n\(scrape)")
        }
        // Time lag over the wire: the first unconsumed record is measured.
        #expect(lines.contains { $0.hasPrefix("wharf_consumergroup_time_lag_seconds{consumergroup=\"billing\",topic=\"orders\",partition=\"0\"}") })
        let problems = try await Promtool.checkMetrics(scrape)
        #expect(problems.isEmpty, "promtool: \(problems)")

        // The cluster goes away: the last values stay, and wharf_source_up says they are stale.
        #expect(try await serve.stop() == 0)
        var down = false
        for _ in 0..<200 where !down {
            down = RawHTTP.body(try await RawHTTP.get(port: metricsPort)).contains("wharf_source_up 0\n")
            if !down { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(down)
    }

    /// The dashboard's own refresh feeds `--metrics-listen`: `wharf demo` in tmux serves the
    /// families only the dashboard's sources have (queues, dead letters, outboxes, event readers).
    @Test func demoServesQueueOutboxAndReaderMetricsFromTheDashboardRefresh() async throws {
        let port = try Self.freePort()
        let tmux = try Tmux(command: [WharfProcess.binary, "demo", "--no-kafka", "--refresh", "300", "--metrics-listen", "127.0.0.1:\(port)"],
                            width: 120, height: 40)
        _ = try await tmux.waitFor { $0.contains("fraud-check") }
        var scrape = ""
        let wanted = ["wharf_queue_messages{queue=\"emails\",state=\"active\"}", "wharf_outbox_pending_rows{outbox=",
                      "wharf_event_reader_lag_events{reader=", "kafka_consumergroup_lag{consumergroup=\"fraud-check\"",
                      "wharf_consumergroup_status{consumergroup=\"fraud-check\"", "wharf_log_append_duration_seconds_count "]
        for _ in 0..<200 {
            scrape = (try? await RawHTTP.get(port: port)).map(RawHTTP.body) ?? ""
            if wanted.allSatisfy({ scrape.contains($0) }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        for w in wanted { #expect(scrape.contains(w), "missing \(w) in:\n\(scrape.prefix(3_000))") }
        let problems = try await Promtool.checkMetrics(scrape)
        #expect(problems.isEmpty, "promtool: \(problems)")
        try await tmux.send("q")
        let screen = try await tmux.waitFor { $0.contains("[exit") }
        #expect(screen.contains("[exit 0]"), "\(screen)")
    }
}
