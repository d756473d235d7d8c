import Foundation
import Logging
import WharfCore
@testable import WharfEvents

/// A fresh data directory with a store over it (manual clock, fsync never: tests that need
/// durability close and reopen, or crash on purpose).
final class StoreFixture {
    let path = NSTemporaryDirectory() + "wharf-events-\(UUID().uuidString)"
    let clock = ManualClock(1_800_000_000_000)
    var store: EventStore!

    init() throws { store = try open() }

    func open() throws -> EventStore {
        try EventStore.open(dataDirectory: path, clock: clock, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, fsync: .never)
    }

    func reopen() throws {
        try store.close()
        store = try open()
    }

    /// Drops the store without closing it (no clean-shutdown marker) and opens a new one.
    func crashAndReopen() throws {
        store = nil
        store = try open()
    }

    var allLogDirectory: String { path + "/events/all-0" }

    deinit {
        try? store?.close()
        try? FileManager.default.removeItem(atPath: path)
    }
}

func event(_ type: String = "Happened", _ data: String = "{}", id: UUID = UUID()) -> EventData {
    EventData(id: id, type: type, data: data)
}

func events(_ n: Int, type: String = "Happened", prefix: String = "e") -> [EventData] {
    (0..<n).map { EventData(type: type, data: "\(prefix)\($0)") }
}

func dataOf(_ events: [RecordedEvent]) -> [String] { events.map(\.dataString) }

/// Runs `body` with the WharfError it throws, or fails the expectation if nothing is thrown.
func thrownError(_ body: () throws -> Void) -> WharfError? {
    do {
        try body()
        return nil
    } catch let e as WharfError {
        return e
    } catch {
        return nil
    }
}
