import Foundation
import Testing
import WharfAMQP
import WharfCore
import WharfEngine
@testable import WharfAMQPServer

/// The settled dispositions Wharf owes for what one read brought in go out as ranges
/// (first...last, one per run of consecutive delivery ids with the same outcome), not one per
/// delivery; a pre-settled delivery or a different outcome starts a new range.
@Suite(.serialized) struct AMQPSettledRangeTests {
    typealias L = AMQPListenerTests

    /// Frames written in one `send`: loopback delivers them to one read of the listener.
    static func oneWrite(_ c: RawAMQPSocket, _ frames: [(Performative, [UInt8])]) async throws {
        try await c.send(frames.flatMap { AMQPFrame(channel: 1, performative: $0.0.value, payload: $0.1).encoded() })
    }

    /// The settled dispositions until `count` deliveries are covered.
    static func dispositions(_ c: RawAMQPSocket, covering count: Int) async throws -> [Disposition] {
        var out: [Disposition] = []
        var covered = 0
        while covered < count, let (p, _) = try await c.receive() {
            guard case .disposition(let d) = p else { continue }
            out.append(d)
            covered += Int((d.last ?? d.first) &- d.first) + 1
        }
        return out
    }

    @Test func sendAcknowledgementsAndCompletionEchoesAreRanges() async throws {
        try await L.Fixture.with { f in
            let c = try await L.handshake(f.port)
            #expect(try await L.putToken(c, key: L.key) == 202)
            let source = Terminus.make(source: true, address: "s"), target = Terminus.make(source: false, address: "/q")
            try await c.send(channel: 1, .attach(Attach(name: "s", handle: 1, isReceiver: false, sndSettleMode: 0, source: source, target: target,
                                                        initialDeliveryCount: 0)))
            _ = try await c.receive()  // attach
            _ = try await c.receive()  // credit
            // Six deliveries: 0 and 1 fine, 2 pre-settled, 3 invalid (reserved property prefix), 4 and 5 fine.
            let good = AMQPMessage(body: .data([[1, 2, 3]])).encoded()
            let bad = AMQPMessage(applicationProperties: [.init(.string("x-sb-mine"), .string("v"))], body: .data([[4]])).encoded()
            var transfers: [(Performative, [UInt8])] = []
            for i in 0..<6 {
                let t = Transfer(handle: 1, deliveryId: UInt32(i), deliveryTag: [UInt8(i)], messageFormat: 0, settled: i == 2)
                transfers.append((.transfer(t), i == 3 ? bad : good))
            }
            try await Self.oneWrite(c, transfers)
            let acks = try await Self.dispositions(c, covering: 5)
            let states = try acks.map { try DeliveryState($0.state) }
            #expect(acks.map { [$0.first, $0.last ?? $0.first] } == [[0, 1], [3, 3], [4, 5]])
            #expect(acks.allSatisfy { $0.settled && $0.isReceiver })
            guard states.count == 3, case .accepted? = states[0], case .rejected? = states[1], case .accepted? = states[2] else {
                Issue.record("outcomes \(states)")
                return
            }
            #expect(try f.queues.runtimeCounts("q").activeCount == 5)

            // Receive the five in peek-lock, complete them unsettled in one write: one echo for all.
            let rsource = Terminus.make(source: true, address: "/q"), rtarget = Terminus.make(source: false, address: "r")
            try await c.send(channel: 1, .attach(Attach(name: "r", handle: 2, isReceiver: true, sndSettleMode: 0, rcvSettleMode: 1,
                                                        source: rsource, target: rtarget)))
            _ = try await c.receive()  // attach
            try await c.send(channel: 1, .flow(Flow(nextIncomingId: 0, incomingWindow: 65536, nextOutgoingId: 6, outgoingWindow: 65536,
                                                    handle: 2, deliveryCount: 0, linkCredit: 5)))
            var ids: [UInt32] = []
            while ids.count < 5, let (p, _) = try await c.receive() {
                if case .transfer(let t) = p, let id = t.deliveryId { ids.append(id) }
            }
            #expect(ids == Array(ids[0]...ids[0] + 4))
            try await Self.oneWrite(c, ids.map { id in
                (.disposition(Disposition(isReceiver: true, first: id, settled: false, state: DeliveryState.accepted.value)), [])
            })
            let echoes = try await Self.dispositions(c, covering: 5)
            #expect(echoes.count == 1 && echoes.first?.first == ids[0] && echoes.first?.last == ids[4])
            #expect(echoes.allSatisfy { !$0.isReceiver && $0.settled && (try? DeliveryState($0.state)) == .accepted })
            #expect(try f.queues.runtimeCounts("q").totalCount == 0)
            c.close()
        }
    }
}
