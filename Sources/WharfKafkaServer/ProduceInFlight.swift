import KafkaProtocol
import WharfStorage

/// A Produce request whose batches are written but not yet acknowledged: its answer, and the
/// appends that must be durable before it may go out.
struct ProduceInFlight: Sendable {
    struct Pending: Sendable {
        /// Where the partition's answer sits in `response`.
        let topic: Int
        let partition: Int
        let append: PendingAppend
    }

    var response: ProduceResponse
    let pending: [Pending]

    /// The answer once every written partition is durable; a partition whose fdatasync failed
    /// answers with that error instead of its offset (the client must not count it as stored).
    func acknowledged() async -> ProduceResponse {
        var response = self.response
        for p in pending {
            do {
                try await p.append.durable()
            } catch {
                response.responses[p.topic].partitionResponses[p.partition].errorCode = KafkaError.code(error)
                response.responses[p.topic].partitionResponses[p.partition].errorMessage = "\(error)"
                response.responses[p.topic].partitionResponses[p.partition].baseOffset = -1
            }
        }
        return response
    }
}
