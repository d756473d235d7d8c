import Foundation
import WharfEngine
import WharfOutbox

/// `wharf outbox relay`'s loop, the same into a data directory or a cluster: the relay runs (with
/// the engine's upkeep alongside when there is an engine) until SIGINT or SIGTERM, then finishes
/// the poll in flight. Returns the signal and the relay's totals, for the command's last line.
public enum OutboxRelayRunner {
    public static func run(_ relay: OutboxRelay, until stop: StopSignals, engine: Engine? = nil) async -> (signal: Int32, metrics: OutboxMetricsSnapshot?) {
        let relayTask = Task { await relay.run() }
        let upkeep = engine.map(EngineUpkeep.start)
        let signal = await stop.wait()
        relayTask.cancel()
        await relayTask.value
        await upkeep?.stop()
        return (signal, try? await relay.metrics())
    }
}
