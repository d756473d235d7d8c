import Foundation
import Logging
import Testing
import WharfCore
@testable import WharfEngine
import WharfStorage
import WharfTestSupport

/// Power-loss consistency of queue purge, undo and requeue, explored with `CrashDisk`: a queue
/// and its dead-letter queue go through sends, dead-lettering, purges of either, undos of either
/// and requeues of the dead letters, with every file change journaled. After a power cut at any
/// operation and a reopen:
/// - under `always`, each message is where its last acknowledged step put it (or where the step
///   in flight would put it): visible in the queue, visible in its dead-letter queue, or purged;
///   and after undoing the purges it is in exactly one place, never in neither, never in both;
/// - under `interval` (acknowledged steps of the last second may be lost), no message is in two
///   places, and after undoing the purges every message sent before the run (durable then) is in
///   exactly one.
@Suite(.heavy) struct QueuePurgeRequeueCrashTests {
    static let seeds: [UInt64] = [1, 2, 3]
    static let policies: [FsyncPolicy] = [.always, .interval(milliseconds: 1000)]
    static let queue = "orders"
    static let deadLetters = QueueNames.deadLetter(of: "orders")

    enum Place: Equatable {
        case live, dead, purgedLive, purgedDead

        /// Where `peek` shows it: nil when purged (hidden until an undo).
        var visible: Place? { self == .live || self == .dead ? self : nil }
        /// Where it is once the purges are undone.
        var afterUndo: Place { self == .purgedLive ? .live : self == .purgedDead ? .dead : self }
    }

    /// One step: the journal's length before it started and after it returned, and where every
    /// message was then.
    struct Step {
        var start: Int
        var end: Int
        var places: [String: Place]
    }

    @Test(arguments: seeds, policies)
    func purgeUndoAndRequeueLeaveEveryMessageInOnePlaceAfterAPowerCut(seed: UInt64, fsync: FsyncPolicy) throws {
        func config(_ path: String, faults: FaultInjector? = nil) -> EngineConfig {
            var config = EngineConfig(dataDirectory: path, fsync: fsync)
            config.faults = faults
            return config
        }
        var random = SeededRandom(seed: seed)
        let root = NSTemporaryDirectory() + "wharf-queue-purge-crash-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let clock = ManualClock(1_800_000_000_000)
        var places: [String: Place] = [:]
        var next = 0
        func send(_ queues: QueueStore) throws {
            next += 1
            _ = try queues.send(Self.queue, OutgoingMessage(messageId: "m\(next)", body: Array("m\(next)".utf8)))
            places["m\(next)"] = .live
        }
        func deadLetter(_ queues: QueueStore, max: Int) throws {
            for m in try queues.receive(Self.queue, max: max) {
                _ = try queues.deadLetter(m, reason: "crash test")
                places[m.messageId] = .dead
            }
        }
        do {
            let engine = try Engine.open(config: config(root), clock: clock, logger: Logger(label: "test"))
            let queues = try engine.openQueues()
            try queues.createQueue(Self.queue)
            for _ in 0..<16 { try send(queues) }
            try deadLetter(queues, max: 6)
            try queues.close()
            try engine.close()
        }
        let initial = try CrashDisk.snapshot(root)
        let durable = Set(places.keys)

        let journal = FileJournal()
        let engine = try Engine.open(config: config(root, faults: FaultInjector(journal: journal)), clock: clock, logger: Logger(label: "test"))
        let queues = try engine.openQueues()
        var steps = [Step(start: 0, end: 0, places: places)]
        for _ in 0..<30 {
            let start = journal.count
            switch Int.random(in: 0..<7, using: &random) {
            case 0: for _ in 0..<Int.random(in: 1...2, using: &random) { try send(queues) }
            case 1: try deadLetter(queues, max: Int.random(in: 1...3, using: &random))
            case 2:
                _ = try queues.purge(Self.queue)
                for (id, place) in places where place == .live { places[id] = .purgedLive }
            case 3:
                _ = try queues.purge(Self.deadLetters)
                for (id, place) in places where place == .dead { places[id] = .purgedDead }
            case 4:
                try queues.undoPurge(Self.queue)
                for (id, place) in places where place == .purgedLive { places[id] = .live }
            case 5:
                try queues.undoPurge(Self.deadLetters)
                for (id, place) in places where place == .purgedDead { places[id] = .dead }
            default:
                _ = try queues.requeue(Self.queue, .all)
                for (id, place) in places where place == .dead { places[id] = .live }
            }
            steps.append(Step(start: start, end: journal.count, places: places))
            clock.advance(byMillis: Int64.random(in: 0...2000, using: &random))
        }
        try queues.close()
        try engine.close()

        let operations = journal.operations
        let points = CrashDisk.points(40, of: operations.count, random: &random)
        var violations: [String] = []
        try CrashDisk.explore(operations, root: root, initial: initial, at: points) { k, dir in
            let at = "cut after operation \(k) of \(operations.count)"
            do {
                let engine = try Engine.open(config: config(dir), clock: clock, logger: Logger(label: "test"))
                defer { try? engine.close() }
                let queues = try engine.openQueues()
                defer { try? queues.close() }
                // Where each message may be: as the last finished step left it, or as the step in flight would.
                var allowed = [steps.last { $0.end <= k }!.places]
                if let inFlight = steps.first(where: { $0.start < k && k < $0.end }) { allowed.append(inFlight.places) }
                let ids = Set(allowed.flatMap(\.keys))
                func observe() throws -> [String: [Place]] {
                    var seen: [String: [Place]] = [:]
                    for m in try queues.peek(Self.queue, max: 1000) { seen[m.messageId, default: []].append(.live) }
                    for m in try queues.peek(Self.deadLetters, max: 1000) { seen[m.messageId, default: []].append(.dead) }
                    return seen
                }
                let before = try observe()
                for id in ids {
                    let seen = before[id] ?? []
                    let options = allowed.map { $0[id]?.visible }  // nil: hidden (purged) or not sent yet
                    if seen.count > 1 || (fsync == .always && !options.contains(seen.first)) {
                        violations.append("\(at): \(id) is visible in \(seen), expected \(options)")
                    }
                }
                try queues.undoPurge(Self.queue)
                try queues.undoPurge(Self.deadLetters)
                let after = try observe()
                for id in ids {
                    let seen = after[id] ?? []
                    let options = allowed.map { $0[id]?.afterUndo }  // nil: not sent yet
                    let misplaced = fsync == .always ? !options.contains(seen.first) : seen.isEmpty && durable.contains(id)
                    if seen.count > 1 || misplaced {
                        violations.append("\(at): after undoing the purges \(id) is in \(seen), expected one of \(options)")
                    }
                }
            } catch {
                violations.append("\(at): reopen failed: \(error)")
            }
        }
        #expect(steps.count == 31)
        #expect(violations.isEmpty, "seed \(seed), \(fsync): \(violations.count) violations in \(points.count) crash points: \(violations.prefix(3))")
    }
}
