import WharfCore

/// What a receiver does with a peek-locked message once it handled it.
public enum QueueSettlement: String, Sendable, CaseIterable {
    case complete, abandon, `defer`, deadLetter = "dead-letter"
}

extension QueueStore {
    /// Settles each of `messages` the same way; `reason` and `description` apply to `.deadLetter`.
    public func settle(_ messages: [QueueMessage], _ settlement: QueueSettlement, reason: String? = nil,
                       description: String? = nil) throws(WharfError) {
        for m in messages {
            switch settlement {
            case .complete: try complete(m)
            case .abandon: try abandon(m)
            case .defer: try deferMessage(m)
            case .deadLetter: _ = try deadLetter(m, reason: reason, description: description)
            }
        }
    }
}
