import WharfCore

extension QueueStore {
    /// Whether receiving from `entity` takes a session: a session-enabled queue or subscription
    /// (its dead-letter queue never does).
    public func needsSession(_ entity: String) throws(WharfError) -> Bool {
        try options(QueueNames.parse(entity).queue).requiresSession && !entity.lowercased().hasSuffix(QueueNames.deadLetterSuffix)
    }

    /// One receive of up to `max` messages from `entity` (`wharf queue receive`): where it takes
    /// a session, from the session `sessionId` (default: the next available), settled by
    /// `settle` before that session is closed; else straight from the entity, then settled.
    public func receiveOnce(_ entity: String, sessionId: String? = nil, max: Int, mode: ReceiveMode,
                            settle: ([QueueMessage]) throws -> Void) throws -> [QueueMessage] {
        guard try needsSession(entity) else {
            let got = try receive(entity, max: max, mode: mode)
            try settle(got)
            return got
        }
        let session = try acceptSession(entity, sessionId: sessionId)
        defer { try? closeSession(session) }
        let got = try receive(session, max: max, mode: mode)
        try settle(got)
        return got
    }
}
