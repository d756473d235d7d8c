import Foundation
import KafkaProtocol
import Testing
import WharfCore
import WharfEngine
@testable import WharfKafkaServer

/// A JoinGroup parked in the coordinator (waiting for the other members to rejoin) is
/// withdrawn when its connection closes: the worker is cancelled, not left waiting for the
/// round to end. The engine's clock never moves here, so no timeout can be what ended it.
@Suite struct GroupJoinDisconnectTests {
    static func eventually(_ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while await !condition() {
            guard ContinuousClock.now < deadline else { throw WharfError.io("condition not met within 60 s") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test func aJoinParkedOnAClosedConnectionIsWithdrawnAndTheRoundStillCompletes() async throws {
        try await ListenerLimitsTests.withListener { f, _, port in
            let coordinator = f.engine.coordinator
            let subscription = ConsumerSubscription(topics: ["t"]).encode()
            func join(_ memberId: String) -> WharfEngine.JoinGroupRequest {
                WharfEngine.JoinGroupRequest(groupId: "g", memberId: memberId, clientId: "a", sessionTimeoutMs: 10_000,
                                             rebalanceTimeoutMs: 60_000, protocols: [(name: "range", metadata: subscription)])
            }
            let a = try await coordinator.join(join(""))
            _ = try await coordinator.sync(groupId: "g", generationId: a.generationId, memberId: a.memberId,
                                           assignments: [a.memberId: ConsumerAssignment(partitions: []).encode()])

            // b joins over the wire (v3: no member-id round trip) and waits for a to rejoin.
            let b = try await RawKafkaSocket.connect(port: port)
            let request = KafkaProtocol.JoinGroupRequest(groupId: "g", sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 60_000, memberId: "",
                                                         protocolType: "consumer", protocols: [.init(name: "range", metadata: subscription)])
            _ = try await b.send(RawKafkaSocket.request(.joinGroup(request), version: 3))
            try await Self.eventually { await coordinator.parkedJoinCount(groupId: "g") == 1 }
            b.close()
            try await Self.eventually { await coordinator.parkedJoinCount(groupId: "g") == 0 }

            // a's rejoin completes the round at once: b counts as joined until its session
            // expires, as Kafka keeps a member whose connection dropped mid-join.
            let again = try await coordinator.join(join(a.memberId))
            #expect(again.generationId == a.generationId + 1 && again.members.count == 2)
            #expect(await coordinator.parkedJoinCount(groupId: "g") == 0)
        }
    }
}
