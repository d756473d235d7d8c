import WharfAdmin
import WharfCore

/// The loop of `consume --group`, the same for both members: poll, print, commit what was
/// printed, until `limit` records or nothing more is there; the member always leaves.
public enum GroupConsumeLoop {
    public static func run(_ consumer: some GroupConsuming, limit: Int, emit: (ConsumedRecord) -> Void) async throws {
        var printed = 0
        try await withAsyncCleanup {
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
        } cleanup: {
            await consumer.close()
        }
    }
}
