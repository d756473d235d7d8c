/// What a bench client does with each decoded ReadResp: both client modes (grpc-swift-2 and the
/// h2 client) hand every message to one of these until it says the read is done or the call
/// ends. It runs where the messages are decoded (the h2 client: on the connection's event
/// loop), so it must not block.
protocol BenchReadConsumer: Sendable {
    /// Takes one message; true when the read is complete (a subscription's `caught_up`): the
    /// caller then ends the call. Throws to fail the read.
    mutating func take(_ message: BenchReadMessage) throws -> Bool
}

/// The bench's reads: counts the events a Read delivers (all of a page, or those before a
/// subscription's `caught_up`); each must have decoded whole (an id, a type, commit positions
/// rising).
struct BenchReadTally: BenchReadConsumer {
    private(set) var events = 0
    private var lastCommit: UInt64 = 0

    mutating func take(_ m: BenchReadMessage) throws -> Bool {
        switch m.kind {
        case .event:
            guard let e = m.event, e.id != nil, e.commitPosition > lastCommit, !e.type.isEmpty else {
                throw ESDBGrpcBenchError(description: "event \(events) did not decode whole")
            }
            lastCommit = e.commitPosition
            events += 1
            return false
        case .caughtUp: return true
        case .streamNotFound: throw ESDBGrpcBenchError(description: "the stream was not found")
        default: return false
        }
    }
}
