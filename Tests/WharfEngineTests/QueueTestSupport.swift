import Foundation
import Logging
import WharfCore
import WharfStorage
@testable import WharfEngine

/// A fresh data directory with an engine (holding the directory lock, as in the executable) and
/// a queue store over the same directory, with a manual clock.
final class QueueFixture {
    let path = NSTemporaryDirectory() + "wharf-queues-\(UUID().uuidString)"
    let clock = ManualClock(1_800_000_000_000)
    var engine: Engine!
    var store: QueueStore!
    let purgeUndoWindow: Int64

    init(purgeUndoWindow: Int64 = 15 * 60_000) throws {
        self.purgeUndoWindow = purgeUndoWindow
        try open()
    }

    func open() throws {
        var logger = Logger(label: "test")
        logger.logLevel = .error
        engine = try Engine.open(config: EngineConfig(dataDirectory: path, fsync: .never), clock: clock, logger: logger)
        store = try engine.openQueues(purgeUndoWindowMillis: purgeUndoWindow)
    }

    /// Close and reopen both, as a restart does.
    func reopen() throws {
        try store.close()
        try engine.close()
        try open()
    }

    /// Reopen without closing the store (its logs are left as a killed process leaves them).
    func crashAndReopen() throws {
        try engine.close()
        try open()
    }

    func advance(seconds: Int64) { clock.advance(byMillis: seconds * 1000) }

    deinit {
        try? store?.close()
        try? engine?.close()
        try? FileManager.default.removeItem(atPath: path)
    }
}

struct SimulatedCrash: Error {}

extension QueueStore {
    /// Sends text bodies; returns their sequence numbers.
    @discardableResult
    func sendTexts(_ queue: String, _ texts: [String], sessionId: String? = nil) throws -> [Int64] {
        try texts.map { try send(queue, OutgoingMessage($0, sessionId: sessionId)).sequenceNumber! }
    }

    func receiveOne(_ entity: String, mode: ReceiveMode = .peekLock) throws -> QueueMessage? {
        try receive(entity, max: 1, mode: mode).first
    }

    func bodies(_ entity: String) throws -> [String] {
        try peek(entity, max: 1000).map(\.bodyText)
    }
}

extension FileJournal {
    /// The fdatasyncs started, since operation `from`, of the files whose path ends with `suffix`.
    func syncsStarted(ofPathEndingWith suffix: String, since from: Int) -> Int {
        let operations = operations
        var files = Set<Int32>()
        for case .open(let fd, let path, _, _) in operations where path.hasSuffix(suffix) { files.insert(fd) }
        return operations.dropFirst(from).filter { op in
            if case .syncStarted(.file(let fd), _) = op { files.contains(fd) } else { false }
        }.count
    }
}
