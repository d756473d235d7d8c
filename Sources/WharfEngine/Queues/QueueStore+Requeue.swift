import WharfCore

/// Which dead-lettered messages a requeue takes.
public enum RequeueSelection: Sendable, Equatable {
    case sequenceNumbers([Int64])
    case all
    /// `DeadLetterReason` equal to this.
    case reason(String)
    /// An application property with exactly this value.
    case property(name: String, value: String)
    /// The body, read as UTF-8, contains this text.
    case bodyContains(String)
}

/// What a requeue did, or would do on a dry run.
public struct RequeueResult: Sendable, Equatable {
    /// The dead-letter queue read from.
    public var source: String
    /// The queue the messages go (or would go) to.
    public var target: String
    public var dryRun: Bool
    /// Sequence numbers in `source` taken (or that would be taken), ascending.
    public var sequenceNumbers: [Int64]
    /// Their new sequence numbers in `target` (empty on a dry run).
    public var newSequenceNumbers: [Int64]
    /// Selected but left in place: locked by a receiver, gone, or without the session id a
    /// session-enabled target needs.
    public var skipped: [Int64]
    public var count: Int { sequenceNumbers.count }
}

/// Requeue (Service Bus "resubmit", reference §1.14, as an atomic move).
extension QueueStore {
    /// Moves dead-lettered messages of `entity` (a queue name, meaning its dead-letter queue, or a
    /// dead-letter queue path) to `target` (default: the queue owning the dead-letter queue).
    ///
    /// Each message moves with the two-step protocol (`QueueStore+Move.swift`): a crash at any
    /// point leaves it in the dead-letter queue or on the target, never both, never neither.
    /// The requeued message gets a new sequence number and enqueue time, delivery count 0, no
    /// `DeadLetterReason`/`DeadLetterErrorDescription`/dead-letter source, its message id, its
    /// other properties, and `requeue-count` incremented (1 on the first requeue). It is stored
    /// in `target` itself: no auto-forwarding, no duplicate detection, no schedule.
    /// A dry run changes nothing and returns what would move where.
    public func requeue(_ entity: String, _ selection: RequeueSelection, to target: String? = nil,
                        dryRun: Bool = false, actor: AuditActor = .thisProcess) throws(WharfError) -> RequeueResult {
        guard !dryRun else { return try requeueUnaudited(entity, selection, to: target, dryRun: true) }
        return try audit.audited(actor, AuditAction.queueRequeue, target: "queue:\(entity)", after: { r in
            ["target": r.target, "requeued": String(r.sequenceNumbers.count), "skipped": String(r.skipped.count),
             "sequence-numbers": r.sequenceNumbers.map(String.init).joined(separator: ","),
             "new-sequence-numbers": r.newSequenceNumbers.map(String.init).joined(separator: ",")]
        }) { () throws(WharfError) in try requeueUnaudited(entity, selection, to: target, dryRun: false) }
    }

    private func requeueUnaudited(_ entity: String, _ selection: RequeueSelection, to target: String?,
                                  dryRun: Bool) throws(WharfError) -> RequeueResult {
        let (queue, _) = QueueNames.parse(entity)
        let dlq = try self.entity(QueueNames.deadLetter(of: queue))
        let destination = try self.entity(target ?? queue)
        guard !destination.isDeadLetter else { throw .invalidArgument("cannot requeue into a dead-letter queue (\(destination.path))") }
        let needsSession = destination.state.withLock { $0.options.requiresSession }
        var result = RequeueResult(source: dlq.path, target: destination.path, dryRun: dryRun, sequenceNumbers: [],
                                   newSequenceNumbers: [], skipped: [])
        let candidates = try dlq.peek(from: 1, max: .max, now: clock.nowMillis())
        var wanted: Set<Int64>?
        if case .sequenceNumbers(let seqs) = selection {
            wanted = Set(seqs)
            let present = Set(candidates.map(\.sequenceNumber))
            result.skipped = seqs.filter { !present.contains($0) }
        }
        for m in candidates {
            let selected: Bool = switch selection {
            case .sequenceNumbers: wanted!.contains(m.sequenceNumber)
            case .all: true
            case .reason(let r): m.deadLetterReason == r
            case .property(let name, let value): m.applicationProperties[name] == value
            case .bodyContains(let text): m.bodyText.contains(text)
            }
            guard selected else { continue }
            if m.state == .locked || (needsSession && m.sessionId == nil) {
                result.skipped.append(m.sequenceNumber)
            } else {
                result.sequenceNumbers.append(m.sequenceNumber)
            }
        }
        result.skipped.sort()
        guard !dryRun else { return result }
        var moved: [Int64] = []
        for seq in result.sequenceNumbers {
            guard dlq.beginMove(seq) else { result.skipped.append(seq); continue }
            let newSeq = try move(seq, from: dlq, to: destination, reason: "requeued") { s in Self.markRequeued(&s) }
            moved.append(seq)
            result.newSequenceNumbers.append(newSeq)
        }
        result.sequenceNumbers = moved
        logger.info("requeued", metadata: ["from": "\(dlq.path)", "to": "\(destination.path)", "count": "\(moved.count)"])
        return result
    }

    static func markRequeued(_ s: inout QueueMessageCodec.Stored) {
        s.properties[QueueMessageCodec.deadLetterReason] = nil
        s.properties[QueueMessageCodec.deadLetterDescription] = nil
        s.system[QueueMessageCodec.deadLetterSource] = nil
        s.system[QueueMessageCodec.deliveryCount] = nil
        s.system[QueueMessageCodec.hopCount] = nil
        s.system[QueueMessageCodec.scheduled] = nil
        let count = s.properties[QueueMessageCodec.requeueCount].flatMap { Int($0) } ?? 0
        s.properties[QueueMessageCodec.requeueCount] = String(count + 1)
    }
}
