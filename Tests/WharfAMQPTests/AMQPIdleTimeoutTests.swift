import Foundation
import Testing
import WharfAMQP
import WharfCore
import WharfTestSupport
@testable import WharfAMQPServer

/// Acceptance row 14 (reference §1.5, §11): connections idle for minutes. The listener's idle
/// duties run on the queue store's clock, so these tests move a `ManualClock` through minutes of
/// silence instead of sleeping: heartbeats at half the client's idle-time-out, a client that
/// keeps writing (its heartbeats) kept for as long as it likes, a silent one closed with
/// `amqp:connection:forced` after twice Wharf's idle-time-out.
@Suite(.serialized) struct AMQPIdleTimeoutTests {
    typealias Fixture = AMQPListenerTests.Fixture

    /// Whether Wharf sends anything within `ms` real milliseconds (the listener's timer ticks
    /// every 50 ms).
    static func isQuiet(_ c: RawAMQPSocket, forMillis ms: Int32 = 400) async -> Bool {
        (try? await offThePool {
            var p = pollfd(fd: c.fd, events: Int16(POLLIN), revents: 0)
            return poll(&p, 1, ms) == 0
        }) ?? false
    }

    /// Lets the listener's timer see what the socket just carried before the clock moves.
    static func settle() async throws { try await Task.sleep(for: .milliseconds(300)) }

    @Test func minutesOfIdleWithHeartbeatsBothWaysAndASilentClientClosed() async throws {
        let clock = ManualClock()
        try await Fixture.with(clock: clock) { f in
            // .NET's 60 s idle-time-out: Wharf owes it a frame every 30 s of its own silence.
            let c = try await AMQPListenerTests.handshake(f.port, idleTimeout: 60_000)
            try await Self.settle()
            clock.advance(byMillis: 29_000)
            #expect(await Self.isQuiet(c), "no heartbeat before half the idle-time-out")
            clock.advance(byMillis: 1_000)
            #expect(try await c.receiveFrame()?.isHeartbeat == true)
            // Ten minutes in 100 s steps: the client heartbeats each step (inside Wharf's 240 s),
            // Wharf answers each step's silence with its own; the connection stays up.
            for _ in 0..<6 {
                try await c.send(AMQPFrame.heartbeat().encoded())
                try await Self.settle()
                clock.advance(byMillis: 100_000)
                #expect(try await c.receiveFrame()?.isHeartbeat == true)
            }
            // The session still works after the idle period.
            try await c.send(channel: 1, .end(End()))
            guard case (.end, _)? = try await c.receive() else { Issue.record("no end after ten idle minutes"); return }
            try await Self.settle()
            // Then silence for twice Wharf's idle-time-out (120 s): closed with connection-forced.
            clock.advance(byMillis: 239_000)
            _ = try await c.receiveFrame()  // the heartbeat that step earned
            #expect(await Self.isQuiet(c), "still open just before twice the idle-time-out")
            clock.advance(byMillis: 1_000)
            guard case (.close(let close), _)? = try await c.receive() else { Issue.record("no close for a silent client"); return }
            #expect(close.error?.condition == AMQPError.connectionForced)
            #expect(try await c.isClosedByServer())
            c.close()
        }
    }

    @Test func aClientThatNamesNoIdleTimeoutGetsNoHeartbeatsButIsStillClosedWhenSilent() async throws {
        let clock = ManualClock()
        try await Fixture.with(clock: clock) { f in
            let c = try await AMQPListenerTests.handshake(f.port)
            try await Self.settle()
            clock.advance(byMillis: 200_000)
            #expect(await Self.isQuiet(c))
            clock.advance(byMillis: 40_000)
            guard case (.close(let close), _)? = try await c.receive() else { Issue.record("no close"); return }
            #expect(close.error?.condition == AMQPError.connectionForced)
            c.close()
        }
    }

    @Test func aClockSteppedBackRestartsThePeriodsInsteadOfClosing() {
        var timer = AMQPIdleTimer(now: 1_000_000)
        #expect(timer.check(now: 1_000_000 - 3_600_000, heartbeatEvery: 30_000, closeAfter: 240_000) == .nothing)
        #expect(timer.check(now: 1_000_000 - 3_600_000 + 30_000, heartbeatEvery: 30_000, closeAfter: 240_000) == .heartbeat)
        timer.receivedSinceCheck = true
        #expect(timer.check(now: 1_000_000 - 3_600_000 + 60_000, heartbeatEvery: 30_000, closeAfter: 240_000) == .heartbeat)
        #expect(timer.check(now: 1_000_000 - 3_600_000 + 299_999, heartbeatEvery: nil, closeAfter: 240_000) == .nothing)
        #expect(timer.check(now: 1_000_000 - 3_600_000 + 300_000, heartbeatEvery: nil, closeAfter: 240_000) == .silentTooLong)
    }
}
