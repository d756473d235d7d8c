import WharfClusterSource
import WharfCore
import WharfEngine

/// A consumer-group member `wharf consume --group` can drive: the embedded engine's
/// (`EmbeddedConsumer`) or a cluster's over the Kafka protocol (`ClusterGroupConsumer`).
public protocol GroupConsuming: Actor {
    func poll(maxRecords: Int) async throws -> [ConsumedRecord]
    func commit(_ offsets: [TopicPartition: Int64]) async throws
    func close() async
}

extension EmbeddedConsumer: GroupConsuming {}
extension ClusterGroupConsumer: GroupConsuming {}

/// The loop of `consume --group`, the same for both members: poll, print, commit what was
/// printed, until `limit` records or nothing more is there; the member always leaves.
public enum GroupConsumeLoop {
    public static func run(_ consumer: some GroupConsuming, limit: Int, emit: (ConsumedRecord) -> Void) async throws {
        var printed = 0
        do {
            while printed < limit {
                let batch = try await consumer.poll(maxRecords: Swift.min(500, limit - printed))
                if batch.isEmpty { break }
                var next: [TopicPartition: Int64] = [:]
                for r in batch {
                    emit(r)
                    next[TopicPartition(r.topic, r.partition)] = r.record.offset + 1
                }
                printed += batch.count
                try await consumer.commit(next)
            }
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
    }
}
