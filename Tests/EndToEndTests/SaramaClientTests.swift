import Foundation
import Testing

/// sarama, the Go client, against the real `wharf serve` (issue 13). sarama 1.22 writes
/// maxTimestamp -1 in every batch; stored as sent, time retention took each closed segment for
/// ancient and deleted acknowledged records. The broker now stores the records' true maximum.
/// CI installs `golang-go` and `golang-github-shopify-sarama-dev`; without them this fails
/// (it does not skip).
@Suite(.serialized, .endToEnd) struct SaramaClientTests {
    static let saramaSources = "/usr/share/gocode/src/github.com/Shopify/sarama"
    static var program: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("clients/sarama/saramacheck.go").path
    }

    /// Builds `saramacheck` in GOPATH mode from Debian's Go sources; returns the binary's path.
    static func buildProgram(in dir: TempDir) async throws -> String {
        let go = ["/usr/bin/go", "/usr/lib/go/bin/go"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let go else { throw TmuxError("go is not installed (apt-get install golang-go)") }
        guard FileManager.default.fileExists(atPath: saramaSources) else {
            throw TmuxError("sarama is not installed (apt-get install golang-github-shopify-sarama-dev)")
        }
        let binary = dir.path + "/saramacheck"
        // The build cache outlives the test (the first build compiles sarama and its cgo codecs).
        let cache = NSTemporaryDirectory() + "wharf-sarama-gocache"
        let r = try await WharfProcess.run(["build", "-o", binary, program],
                                     environment: ["GO111MODULE": "off", "GOPATH": "/usr/share/gocode:\(dir.path)/gopath",
                                                   "GOCACHE": cache, "GOFLAGS": ""],
                                     executable: go)
        guard r.status == 0 else { throw TmuxError("go build saramacheck failed: \(r.stderr)") }
        return binary
    }

    /// 1,000,000 records of 100 B onto a topic with 1 MiB segments (about 100 of them) and a one
    /// hour time retention, all read back, then a consumer group joins and commits.
    @Test func saramaProducesAMillionRecordsThatRetentionKeepsAndReadsThemBack() async throws {
        let work = TempDir()
        let program = try await Self.buildProgram(in: work)
        let server = try KafkaListenerTests.Server()
        let run = try await WharfProcess.run(["-brokers", server.bootstrap, "-topic", "sarama", "-count", "1000000", "-size", "100",
                                        "-segment-bytes", "1048576", "-retention-ms", "3600000", "-group", "sarama-group"],
                                       executable: program)
        #expect(run.status == 0 && run.stdout.contains("OK sarama"), "\(run.stdout)\n\(run.stderr)")
        // The broker's own view while it runs, and then the files after a clean stop.
        let live = try await WharfProcess.run(["topic", "describe", "sarama", "--json", "--bootstrap", server.bootstrap])
        #expect(live.stdout.contains(#""logStartOffset":0,"#) && live.stdout.contains(#""logEndOffset":1000000"#),
                "\(live.stdout)\(live.stderr)")
        #expect(server.stop() == 0)
        let stored = try await WharfProcess.run(["topic", "describe", "sarama", "--json", "--data", server.dir.path])
        #expect(stored.stdout.contains(#""logStartOffset":0,"#) && stored.stdout.contains(#""logEndOffset":1000000"#),
                "\(stored.stdout)\(stored.stderr)")
        let segments = stored.stdout.firstMatch(of: /"segments":(\d+)/).flatMap { Int($0.1) } ?? 0
        #expect(segments > 50, "segments did not roll: \(stored.stdout)")
        let group = try await WharfProcess.run(["group", "describe", "sarama-group", "--json", "--data", server.dir.path])
        #expect(group.status == 0 && group.stdout.contains("sarama"), "\(group.stdout)\(group.stderr)")
    }
}
