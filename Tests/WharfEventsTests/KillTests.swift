import Foundation
import Testing
import WharfCore
@testable import WharfEvents
import WharfSpawn
import WharfTestSupport

/// Atomic multi-event appends across a real SIGKILL: a child process (this test binary, running
/// only `childAppender`) appends 5-event batches with fsync `always` and prints each
/// acknowledgement; the parent kills it mid-stream and reopens the store.
@Suite struct KillTests {
    static let childDirectoryVariable = "WHARF_EVENTS_KILL_CHILD_DIR"

    @Test(.enabled(if: ProcessInfo.processInfo.environment[KillTests.childDirectoryVariable] != nil))
    func childAppender() throws {
        let dir = ProcessInfo.processInfo.environment[Self.childDirectoryVariable]!
        let store = try EventStore.open(dataDirectory: dir, fsync: .always)
        for k in 0..<1_000_000 {
            let batch = (0..<5).map { EventData(type: "batch-\(k)", data: "\(k).\($0)") }
            try store.append(stream: "s-\(k % 3)", events: batch)
            FileHandle.standardOutput.write(Data("acked \(k)\n".utf8))
        }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment[KillTests.childDirectoryVariable] == nil), .timeLimit(.minutes(1)))
    func sigkillKeepsAppendsWhole() async throws {
        let dir = NSTemporaryDirectory() + "wharf-events-kill-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let child = try ChildProcess([CommandLine.arguments[0], "--testing-library", "swift-testing", "--filter", "childAppender"],
                                     environment: ChildProcess.environment(adding: [Self.childDirectoryVariable: dir]),
                                     stdout: .pipe, stderr: .null)
        let out = child.standardOutput!
        // Reading the child's acknowledgements blocks, so it runs on a thread of its own.
        let acked = try await offThePool {
            var acked = -1
            var text = ""
            while acked < 200 {
                let chunk = out.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
                while let nl = text.firstIndex(of: "\n") {
                    let line = text[..<nl]
                    if line.hasPrefix("acked "), let k = Int(line.dropFirst(6)) { acked = k }
                    text = String(text[text.index(after: nl)...])
                }
            }
            return acked
        }
        child.kill()
        #expect(await child.exit() == .signaled(SIGKILL))
        try #require(acked >= 200, "child acknowledged \(acked) appends")

        let store = try EventStore.open(dataDirectory: dir, fsync: .always)
        defer { try? store.close() }
        let all = try store.readAll(maxCount: 1_000_000)
        var perBatch: [String: Int] = [:]
        for e in all { perBatch[e.type, default: 0] += 1 }
        #expect(perBatch.values.allSatisfy { $0 == 5 }, "a batch was cut: \(perBatch.filter { $0.value != 5 })")
        let batches = perBatch.keys.compactMap { Int($0.dropFirst(6)) }.sorted()
        #expect(batches == Array(0..<batches.count))         // no gaps
        #expect(batches.count >= acked + 1)                   // every acknowledged append survived
        #expect(all.map(\.position) == (0..<UInt64(all.count)).map { $0 })
        // Appends continue after the surviving ones.
        #expect(try store.append(stream: "s-0", events: [event()]).position == UInt64(all.count))
    }
}
