import Foundation
import Logging
import Testing
import WharfCore
@testable import WharfEvents
@testable import WharfStorage
import WharfTestSupport

/// Appends from many tasks at once under `--fsync always` share fdatasyncs, and a power cut right
/// after any acknowledgement keeps every append acknowledged by then, whole, in order.
@Suite(.heavy) struct AppendGroupCommitCrashTests {
    /// An acknowledgement: the journal's length when the append's `durable()` returned.
    struct Ack: Sendable {
        let position: Int
        let stream: String
        let revision: UInt64
    }

    static let quiet = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    func open(_ root: String, faults: FaultInjector? = nil) throws -> EventStore {
        try EventStore.open(dataDirectory: root, clock: ManualClock(1_800_000_000_000), logger: Self.quiet, fsync: .always, faults: faults)
    }

    @Test func aPowerCutAfterAnAcknowledgementKeepsEveryAppendAcknowledgedByThen() async throws {
        let root = NSTemporaryDirectory() + "wharf-events-group-commit-crash-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try open(root).close()
        let initial = try CrashDisk.snapshot(root)

        let journal = FileJournal()
        let store = try open(root, faults: FaultInjector(journal: journal))
        let appenders = 8, rounds = 12
        let acked = try await withThrowingTaskGroup(of: [Ack].self) { group in
            for a in 0..<appenders {
                group.addTask {
                    var acks: [Ack] = []
                    for r in 0..<rounds {
                        let events = [EventData(type: "E", data: "\(a)-\(r)-0"), EventData(type: "E", data: "\(a)-\(r)-1")]
                        let expected: ExpectedVersion = r == 0 ? .noStream : .exact(UInt64(r * 2 - 1))
                        let written = try store.writeAllowingSystemStream(stream: "s\(a)", events: events, expected: expected)
                        let result = try await written.durable()
                        acks.append(Ack(position: journal.count, stream: "s\(a)", revision: result.nextExpectedVersion))
                    }
                    return acks
                }
            }
            return try await group.reduce(into: [Ack]()) { $0 += $1 }
        }
        let syncs = journal.operations.filter { if case .syncStarted(.file, _) = $0 { true } else { false } }.count
        #expect(syncs < appenders * rounds, "\(syncs) fdatasyncs for \(appenders * rounds) appends")
        try store.close()

        let operations = journal.operations
        let cuts = Array(Set(acked.map(\.position))).sorted()
        let chosen = stride(from: 0, to: cuts.count, by: max(1, cuts.count / 24)).map { cuts[$0] }
        var violations: [String] = []
        try CrashDisk.explore(operations, root: root, initial: initial, at: chosen) { k, crashed in
            let reopened = try open(crashed)
            defer { try? reopened.close() }
            for a in 0..<appenders {
                let stream = "s\(a)"
                let required = acked.filter { $0.stream == stream && $0.position <= k }.map(\.revision).max()
                let stored = try reopened.readStream(stream, maxCount: 1000)
                let data = stored.map { String(decoding: $0.data, as: UTF8.self) }
                let whole = (0..<stored.count / 2).flatMap { r in ["\(a)-\(r)-0", "\(a)-\(r)-1"] }
                if data != whole { violations.append("cut at \(k): \(stream) holds \(data), not whole appends in order") }
                if let required, stored.count < Int(required) + 1 {
                    violations.append("cut at \(k): \(stream) has \(stored.count) events; revision \(required) was acknowledged")
                }
            }
        }
        #expect(violations.isEmpty, "\(violations)")
    }
}
