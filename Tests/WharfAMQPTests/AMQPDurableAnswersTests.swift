import Foundation
import Testing
import WharfAMQP
import WharfCore
@testable import WharfEngine
import WharfStorage
import WharfTestSupport
@testable import WharfAMQPServer

/// Under `--fsync always` a client's send is acknowledged, its settlement echoed and a delivery
/// made only once an fdatasync covers it (the message, the completion, the lock grant), and the wait happens off the event loop: the loop serves other
/// connections meanwhile, and their sends are written during the first fdatasync and share the
/// next one. The queue's message log (or journal) fdatasyncs are held by the test
/// (`FaultInjector.holdSyncs`); the listener has one event loop, so every connection shares it.
@Suite(.serialized) struct AMQPDurableAnswersTests {
    static let messageLog = "/queues/q/messages/00000000000000000000.log"
    static let journal = "/queues/q/journal/00000000000000000000.log"

    static func message(_ id: String) -> AMQPMessage {
        AMQPMessage(properties: .init(messageId: .string(id)), body: .data([Array(id.utf8)]))
    }

    /// A connection with a put-token for `q` and a sender link on it.
    static func sender(_ port: Int) async throws -> RawAMQPSocket {
        let c = try await AMQPListenerTests.handshake(port)
        #expect(try await AMQPListenerTests.putToken(c, key: AMQPListenerTests.key) == 202)
        try await AMQPBatchAtomicityTests.attachSender(c, to: "q")
        return c
    }

    /// Holds the fdatasyncs of `q`'s message log, and lets them go after `HeldSyncs.releasedAfter` whatever happens
    /// (past every polling deadline), so a failing test does not hang the run.
    static func hold(_ faults: FaultInjector, log: String = messageLog) {
        faults.holdSyncsForAWhile(pathSuffix: log)
    }

    /// Connects, authenticates and attaches a sender on the listener's one loop while a
    /// fdatasync is held; fails the test if that waits for it (before, the loop itself waited).
    static func connectsMeanwhile(_ port: Int) async throws -> RawAMQPSocket {
        let connected = Task { try await sender(port) }
        #expect(await finishes(connected, within: HeldSyncs.boundWhileHeld), "the event loop waited for the held fdatasync")
        return try await connected.value
    }

    /// A receiver link on `q` (handle 2) with `credit`, after the connection's put-token.
    static func receiver(_ port: Int) async throws -> RawAMQPSocket {
        let c = try await AMQPListenerTests.handshake(port)
        #expect(try await AMQPListenerTests.putToken(c, key: AMQPListenerTests.key) == 202)
        let source = Terminus.make(source: true, address: "/q"), target = Terminus.make(source: false, address: "r")
        try await c.send(channel: 1, .attach(Attach(name: "r", handle: 2, isReceiver: true, sndSettleMode: 0, rcvSettleMode: 1,
                                                    source: source, target: target)))
        _ = try await c.receive()  // attach
        return c
    }

    /// `window`: the session's incoming window, counted from the one transfer the client has
    /// had on it (the put-token's answer).
    static func grant(_ c: RawAMQPSocket, credit: UInt32, drain: Bool = false, window: UInt32 = 65536) async throws {
        try await c.send(channel: 1, .flow(Flow(nextIncomingId: 1, incomingWindow: window, nextOutgoingId: 0, outgoingWindow: 65536,
                                                handle: 2, deliveryCount: 0, linkCredit: credit, drain: drain)))
    }

    @Test func aSendWaitingForItsFdatasyncHoldsUpNeitherTheLoopNorOtherSends() async throws {
        let faults = FaultInjector()
        defer { faults.releaseSyncs() }
        try await AMQPListenerTests.Fixture.with(fsync: .always, faults: faults, eventLoopThreads: 1) { f in
            let first = try await Self.sender(f.port)
            defer { first.close() }
            Self.hold(faults)
            let firstAnswer = Task { try await AMQPBatchAtomicityTests.sendBatch(first, deliveryId: 1, [Self.message("one")]) }
            #expect(await eventually { faults.syncsWaiting == 1 })
            // Another client connects, authenticates and sends on the same loop meanwhile.
            let second = try await Self.connectsMeanwhile(f.port)
            defer { second.close() }
            let secondAnswer = Task { try await AMQPBatchAtomicityTests.sendBatch(second, deliveryId: 1, [Self.message("two")]) }
            let entity = try f.queues.entity("q")
            #expect(await eventually(seconds: HeldSyncs.boundWhileHeld) { entity.state.withLock { $0.inFlight.count } == 2 },
                    "the second send waited for the first one's fdatasync before writing")
            // Neither is acknowledged or receivable before it is durable.
            #expect(try f.queues.peek("q").isEmpty)
            faults.releaseSyncs()
            #expect(try await firstAnswer.value == .accepted)
            #expect(try await secondAnswer.value == .accepted)
            #expect(try f.queues.peek("q").map(\.messageId) == ["one", "two"])
        }
    }

    @Test func aSendWhoseFdatasyncFailedIsRejected() async throws {
        let faults = FaultInjector()
        defer { faults.releaseSyncs() }
        try await AMQPListenerTests.Fixture.with(fsync: .always, faults: faults, eventLoopThreads: 1) { f in
            let c = try await Self.sender(f.port)
            defer { c.close() }
            Self.hold(faults)
            let answer = Task { try await AMQPBatchAtomicityTests.sendBatch(c, deliveryId: 1, [Self.message("lost")]) }
            #expect(await eventually { faults.syncsWaiting == 1 })
            faults.fail(.sync, pathSuffix: Self.messageLog)
            faults.releaseSyncs()
            guard case .rejected(let error)? = try await answer.value else { Issue.record("not rejected"); return }
            #expect(error?.condition != nil)
            #expect(try f.queues.peek("q").isEmpty, "a message whose fdatasync failed is never handed out")
        }
    }

    /// A settlement the client sends unsettled, and the echo Wharf owes it: completed (the
    /// message gone), dead-lettered (moved to the dead-letter queue: the journal entry held is
    /// the move's second step), or released, abandoned or deferred (the message stays).
    enum Settlement: String, CaseIterable, Sendable {
        case complete, deadLetter, release, abandon, deferral

        var state: DeliveryState {
            switch self {
            case .complete: .accepted
            case .deadLetter: .rejected(nil)
            case .release: .released
            case .abandon: .modified(deliveryFailed: true, undeliverableHere: false, annotations: .null)
            case .deferral: .modified(deliveryFailed: false, undeliverableHere: true, annotations: .null)
            }
        }

        var echo: DeliveryState {
            switch self {
            case .complete: .accepted
            case .deadLetter: .rejected(nil)
            case .release: .released
            case .abandon, .deferral: .modified(deliveryFailed: false, undeliverableHere: false, annotations: .null)
            }
        }
    }

    @Test(arguments: Settlement.allCases)
    func aSettlementIsEchoedOnceDurableAndTheLoopGoesOnMeanwhile(_ settlement: Settlement) async throws {
        let faults = FaultInjector()
        defer { faults.releaseSyncs() }
        try await AMQPListenerTests.Fixture.with(fsync: .always, faults: faults, eventLoopThreads: 1) { f in
            try f.queues.send("q", OutgoingMessage("to settle"))
            let c = try await Self.receiver(f.port)
            defer { c.close() }
            try await Self.grant(c, credit: 1)
            var delivered: UInt32?
            while delivered == nil, let (p, _) = try await c.receive() {
                if case .transfer(let t) = p { delivered = t.deliveryId }
            }
            let id = try #require(delivered)
            Self.hold(faults, log: Self.journal)
            // Settled by the client, left unsettled: Wharf owes a settled echo, once the journal entry is durable.
            try await c.send(channel: 1, .disposition(Disposition(isReceiver: true, first: id, settled: false, state: settlement.state.value)))
            let echo = Task { () throws -> Disposition? in
                while let (p, _) = try await c.receive() { if case .disposition(let d) = p { return d } }
                return nil
            }
            #expect(await eventually { faults.syncsWaiting == 1 })
            try await Self.connectsMeanwhile(f.port).close()
            #expect(await !finishes(echo, within: 0.05), "the settlement was echoed before it was durable")
            faults.releaseSyncs()
            let d = try #require(try await echo.value)
            #expect(d.first == id && d.settled && !d.isReceiver && (try? DeliveryState(d.state)) == settlement.echo)
            let gone = settlement == .complete || settlement == .deadLetter
            #expect(try f.queues.runtimeCounts("q").totalCount == (gone ? 0 : 1))
            #expect(try f.queues.peek(QueueNames.deadLetter(of: "q")).count == (settlement == .deadLetter ? 1 : 0))
        }
    }

    /// A `$management` request whose write waits for its fdatasync (schedule-message: the
    /// message log) is performed off the loop: another client connects meanwhile, and the
    /// answer goes out once the write is durable.
    @Test func aManagementRequestWaitingForItsFdatasyncHoldsUpNeitherTheLoopNorOtherClients() async throws {
        let faults = FaultInjector()
        defer { faults.releaseSyncs() }
        try await AMQPListenerTests.Fixture.with(fsync: .always, faults: faults, eventLoopThreads: 1) { f in
            let c = try await AMQPDotNetDeltaTests.connect(f.port)
            defer { c.close() }
            Self.hold(faults)
            let later = f.queues.clock.nowMillis() + 3_600_000
            let scheduled = AMQPMessage(messageAnnotations: [.init(.symbol("x-opt-scheduled-enqueue-time"), .timestamp(later))],
                                        properties: .init(messageId: .string("later")), body: .data([Array("later".utf8)]))
            let answer = Task {
                try await AMQPTypedPropertyAndRuleTests.request(c, entity: "q", handle: 20, "com.microsoft:schedule-message",
                                                                [("messages", .list([.stringMap([("message", .binary(scheduled.encoded()))])]))])
            }
            #expect(await eventually { faults.syncsWaiting == 1 })
            try await Self.connectsMeanwhile(f.port).close()
            #expect(await !finishes(answer, within: 0.05), "the schedule was answered before it was durable")
            faults.releaseSyncs()
            let (status, body) = try await answer.value
            #expect(status == 200)
            let seq = try #require(body[key: "sequence-numbers"]?.listValue?.first?.integer)
            #expect(try f.queues.peek("q").map(\.sequenceNumber) == [seq])
        }
    }

    @Test func aDeliveryGoesOutOnceItsLockIsDurableAndADrainIsEchoedAfterIt() async throws {
        let faults = FaultInjector()
        defer { faults.releaseSyncs() }
        try await AMQPListenerTests.Fixture.with(fsync: .always, faults: faults, eventLoopThreads: 1) { f in
            try f.queues.send("q", OutgoingMessage("to deliver"))
            let c = try await Self.receiver(f.port)
            defer { c.close() }
            Self.hold(faults, log: Self.journal)
            // Two credits and a drain: the one message is taken, its lock grant journaled; the
            // transfer and then the drain's echo wait for that fdatasync.
            try await Self.grant(c, credit: 2, drain: true)
            let frames = Task { () throws -> [Performative] in
                var seen: [Performative] = []
                while let (p, _) = try await c.receive() {
                    if case .transfer = p { seen.append(p) }
                    if case .flow(let flow) = p, flow.handle == 2 {
                        seen.append(p)
                        return seen
                    }
                }
                return seen
            }
            #expect(await eventually { faults.syncsWaiting == 1 })
            try await Self.connectsMeanwhile(f.port).close()
            #expect(await !finishes(frames, within: 0.05), "the delivery or the drain's echo went out before the lock grant was durable")
            faults.releaseSyncs()
            let seen = try await frames.value
            guard seen.count == 2, case .transfer(let t) = seen[0], case .flow(let echo) = seen[1] else {
                Issue.record("expected a transfer, then the drain's echo: \(seen)")
                return
            }
            #expect(t.handle == 2 && t.settled != true)
            #expect(echo.drain && echo.linkCredit == 0 && echo.deliveryCount == 2)
            #expect(try f.queues.runtimeCounts("q").lockedCount == 1)
        }
    }

    /// The client's session window counts the transfers that wait for their lock grants: a
    /// window of one gets one transfer, even when the client repeats its window meanwhile (each
    /// listener pump, every 50 ms, would otherwise take another message for it).
    @Test func aSessionWindowOfOneGetsOneTransferWhileItsLockGrantWaits() async throws {
        let faults = FaultInjector()
        defer { faults.releaseSyncs() }
        try await AMQPListenerTests.Fixture.with(fsync: .always, faults: faults, eventLoopThreads: 1) { f in
            try f.queues.send("q", OutgoingMessage("first"))
            try f.queues.send("q", OutgoingMessage("second"))
            let c = try await Self.receiver(f.port)
            defer { c.close() }
            Self.hold(faults, log: Self.journal)
            try await Self.grant(c, credit: 2, window: 1)
            #expect(await eventually { faults.syncsWaiting == 1 })
            // The same window again, as a client that has received nothing yet would send it.
            try await c.send(channel: 1, .flow(Flow(nextIncomingId: 1, incomingWindow: 1, nextOutgoingId: 0, outgoingWindow: 65536)))
            try await Task.sleep(nanoseconds: 200_000_000)  // past a few 50 ms pumps
            #expect(try f.queues.runtimeCounts("q").lockedCount == 1, "a second message was taken for a window of one")
            faults.releaseSyncs()
            var first: Transfer?
            while first == nil, let (p, _) = try await c.receive() { if case .transfer(let t) = p { first = t } }
            #expect(first?.handle == 2)
        }
    }
}
