import Foundation
import Synchronization
import Testing
import WharfCore
@testable import WharfEngine

/// Atomic topic fan-out: a crash between the subscriptions of one send (the crash hook, as the
/// move crash tests use it) is completed on reopen, so the message is in every matching
/// subscription exactly once; a crash after the copies but before the intent is marked done
/// adds nothing twice.
@Suite struct TopicFanOutCrashTests {
    /// Throws on the `n`th "fan-out-copy".
    final class CrashOnCopy: Sendable {
        let n: Int
        let seen = Mutex(0)
        init(_ n: Int) { self.n = n }
        func hook(_ point: String) throws {
            guard point == "fan-out-copy" else { return }
            if seen.withLock({ $0 += 1; return $0 }) == n { throw SimulatedCrash() }
        }
    }

    static func topic(_ f: QueueFixture) throws {
        try f.store.createTopic("t")
        for s in ["a", "b", "c"] { try f.store.createSubscription(topic: "t", name: s) }
        // Only b's rule refuses messages with a `skip` property: a send reaches a and c, or all three.
        try f.store.removeRule(topic: "t", subscription: "b", name: SubscriptionRule.defaultRule.name)
        try f.store.addRule(topic: "t", subscription: "b", SubscriptionRule(name: "not-skip", filter: .sql("skip IS NULL")))
        try f.store.send("t", OutgoingMessage("before"))
    }

    static func bodies(_ f: QueueFixture) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for s in ["a", "b", "c"] { out[s] = try f.store.peek(SubscriptionNames.path(topic: "t", subscription: s), max: 10).map(\.bodyText) }
        return out
    }

    @Test(arguments: [1, 2]) func aCrashBetweenSubscriptionsIsCompletedOnReopen(copiesBeforeTheCrash: Int) throws {
        let f = try QueueFixture()
        try Self.topic(f)
        let crash = CrashOnCopy(copiesBeforeTheCrash)
        f.store.crashHook.withLock { $0 = { try crash.hook($0) } }
        #expect(throws: WharfError.self) { try f.store.send("t", OutgoingMessage("m")) }
        try f.crashAndReopen()
        #expect(try Self.bodies(f) == ["a": ["before", "m"], "b": ["before", "m"], "c": ["before", "m"]])
        // Reopening again changes nothing (the intent is done), and sends still fan out.
        try f.reopen()
        try f.store.send("t", OutgoingMessage("skipped", applicationProperties: ["skip": "1"]))
        #expect(try Self.bodies(f) == ["a": ["before", "m", "skipped"], "b": ["before", "m"], "c": ["before", "m", "skipped"]])
    }

    @Test func aCrashAfterTheLastCopyAddsNothingTwice() throws {
        let f = try QueueFixture()
        try Self.topic(f)
        let crash = CrashOnCopy(3)
        f.store.crashHook.withLock { $0 = { try crash.hook($0) } }
        #expect(throws: WharfError.self) { try f.store.send("t", OutgoingMessage("m")) }
        try f.crashAndReopen()
        #expect(try Self.bodies(f) == ["a": ["before", "m"], "b": ["before", "m"], "c": ["before", "m"]])
    }

    @Test func aSubscriptionThatDeadLetteredItsCopyBeforeTheCrashGetsNoSecondOne() throws {
        let f = try QueueFixture()
        try Self.topic(f)
        // The crash comes after the copies but before done; a's copy is dead-lettered meanwhile.
        let crash = CrashOnCopy(3)
        f.store.crashHook.withLock { $0 = { try crash.hook($0) } }
        #expect(throws: WharfError.self) { try f.store.send("t", OutgoingMessage("m")) }
        f.store.crashHook.withLock { $0 = nil }
        let a = SubscriptionNames.path(topic: "t", subscription: "a")
        for m in try f.store.receive(a, max: 2) {
            if m.bodyText == "m" { try f.store.deadLetter(m, reason: "R") } else { try f.store.complete(m) }
        }
        try f.crashAndReopen()
        #expect(try Self.bodies(f) == ["a": [], "b": ["before", "m"], "c": ["before", "m"]])
        #expect(try f.store.peek(QueueNames.deadLetter(of: a)).map(\.bodyText) == ["m"])
    }
}
