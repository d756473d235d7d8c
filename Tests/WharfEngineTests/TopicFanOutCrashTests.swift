import Foundation
import Synchronization
import Testing
import WharfCore
@testable import WharfEngine
import WharfStorage

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

    /// A subscription whose two rules make two equal copies (the same action) keeps both: an
    /// intent record names a target once, so each copy has a marker of its own. The crash comes
    /// after a's copies, before c's.
    @Test func twoEqualCopiesForOneSubscriptionAreBothCompletedOnReopen() throws {
        let f = try QueueFixture()
        try f.store.createTopic("t")
        for s in ["a", "c"] { try f.store.createSubscription(topic: "t", name: s) }
        try f.store.removeRule(topic: "t", subscription: "c", name: SubscriptionRule.defaultRule.name)
        for name in ["first", "second"] {
            try f.store.addRule(topic: "t", subscription: "c", SubscriptionRule(name: name, filter: .sql("1=1"), action: "SET tag = 'x'"))
        }
        let crash = CrashOnCopy(1)
        f.store.crashHook.withLock { $0 = { try crash.hook($0) } }
        #expect(throws: WharfError.self) { try f.store.send("t", OutgoingMessage("m")) }
        try f.crashAndReopen()
        let c = try f.store.peek(SubscriptionNames.path(topic: "t", subscription: "c"), max: 10)
        #expect(c.map(\.bodyText) == ["m", "m"] && c.allSatisfy { $0.applicationProperties["tag"] == "x" })
        #expect(try f.store.peek(SubscriptionNames.path(topic: "t", subscription: "a"), max: 10).map(\.bodyText) == ["m"])
    }

    /// Intents written before a record could name several targets (one record per copy, its key
    /// one path) are completed the same way.
    @Test func anIntentOfOneRecordPerCopyIsCompletedOnReopen() throws {
        let f = try QueueFixture()
        try Self.topic(f)
        let log = try #require(f.store.topics.withLock { $0["t"]?.fanOut?.log })
        let now = f.clock.nowMillis()
        let copy = QueueMessageCodec.Stored(OutgoingMessage("old")).encoded(enqueuedAt: now)
        let records = ["a", "c"].map { Record(key: Array(SubscriptionNames.path(topic: "t", subscription: $0).utf8), value: copy, headers: [], timestamp: now) }
        var bytes = RecordBatchBuilder.encode(records, defaultTimestamp: now)
        _ = try log.write(&bytes)
        try log.ensureDurable()
        try f.crashAndReopen()
        #expect(try Self.bodies(f) == ["a": ["before", "old"], "b": ["before"], "c": ["before", "old"]])
        try f.reopen()
        #expect(try Self.bodies(f) == ["a": ["before", "old"], "b": ["before"], "c": ["before", "old"]])
    }

    /// A message whose copies are equal takes one intent record, naming every target: not one
    /// record (a whole copy) per subscription.
    @Test func aMessageForEverySubscriptionIsOneIntentRecordNamingThemAll() throws {
        let f = try QueueFixture()
        try Self.topic(f)
        try f.store.send("t", OutgoingMessage("m"))
        let log = try #require(f.store.topics.withLock { $0["t"]?.fanOut?.log })
        var keys: [String] = []
        try QueueEntity.forEachRecord(log) { r in keys.append(String(decoding: r.key ?? [], as: UTF8.self)) }
        let paths = ["a", "b", "c"].map { SubscriptionNames.path(topic: "t", subscription: $0) }.joined(separator: "\n")
        #expect(keys.filter { $0 != TopicFanOut.doneKey } == [paths, paths], "one record per message (\"before\" and \"m\")")
    }

    /// A subscription that forwards (`forwardTo`): its copy is looked for, and completed, where
    /// the forwarding stores it. Subscriptions a and f (forwarding to q), in that order; the
    /// crash comes after a's copy (f's not written) or after f's (already in q).
    @Test(arguments: [1, 2]) func aForwardingSubscriptionsCopyIsCompletedThroughItsForwardOnce(copiesBeforeTheCrash: Int) throws {
        let f = try QueueFixture()
        try f.store.createQueue("q")
        try f.store.createTopic("t")
        try f.store.createSubscription(topic: "t", name: "a")
        try f.store.createSubscription(topic: "t", name: "f", QueueOptions(forwardTo: "q"))
        let crash = CrashOnCopy(copiesBeforeTheCrash)
        f.store.crashHook.withLock { $0 = { try crash.hook($0) } }
        #expect(throws: WharfError.self) { try f.store.send("t", OutgoingMessage("m")) }
        try f.crashAndReopen()
        #expect(try f.store.peek("q").map(\.bodyText) == ["m"])
        #expect(try f.store.peek(SubscriptionNames.path(topic: "t", subscription: "f")).isEmpty, "a second copy, in the forwarding subscription")
        #expect(try f.store.peek(SubscriptionNames.path(topic: "t", subscription: "a")).map(\.bodyText) == ["m"])
    }

    /// A copy completed after a crash goes where its send would have put it, by the send's own
    /// rules: a subscription with duplicate detection drops a copy whose id it saw within its
    /// window before the send (however long the broker was down), and one that requires sessions
    /// dead-letters a copy without a session id. Subscriptions a, d (duplicate detection, a
    /// one-minute window) and s (sessions), in that order; the crash comes after a's copy.
    @Test(arguments: [0, 120]) func aRecoveredCopyIsDroppedOrDeadLetteredAsItsSendWouldHaveDoneIt(downSeconds: Int64) throws {
        let f = try QueueFixture()
        try f.store.createTopic("t")
        try f.store.createSubscription(topic: "t", name: "a")
        try f.store.createSubscription(topic: "t", name: "d", QueueOptions(requiresDuplicateDetection: true, duplicateDetectionWindowMillis: 60_000))
        try f.store.createSubscription(topic: "t", name: "s", QueueOptions(requiresSession: true))
        var first = OutgoingMessage("first")
        first.messageId = "x"
        first.sessionId = "one"
        try f.store.send("t", first)
        f.advance(seconds: 10)
        let crash = CrashOnCopy(1)
        f.store.crashHook.withLock { $0 = { try crash.hook($0) } }
        var again = OutgoingMessage("again")
        again.messageId = "x"
        #expect(throws: WharfError.self) { try f.store.send("t", again) }
        f.store.crashHook.withLock { $0 = nil }
        f.advance(seconds: downSeconds)
        try f.crashAndReopen()
        let path = { SubscriptionNames.path(topic: "t", subscription: $0) }
        #expect(try f.store.peek(path("a")).map(\.bodyText) == ["first", "again"])
        #expect(try f.store.peek(path("d")).map(\.bodyText) == ["first"], "a duplicate stored by the recovery")
        #expect(try f.store.peek(path("s")).map(\.bodyText) == ["first"])
        let dead = try f.store.peek(QueueNames.deadLetter(of: path("s")))
        #expect(dead.map(\.bodyText) == ["again"], "a copy without a session id was not dead-lettered")
        #expect(dead.first?.applicationProperties["DeadLetterReason"] == QueueReasons.sessionIdIsNull)
    }
}
