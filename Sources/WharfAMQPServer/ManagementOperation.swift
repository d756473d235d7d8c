import Foundation
import WharfAMQP
import WharfCore
import WharfEngine

/// One `$management` request's work on the queue engine (reference §5). Made on the connection's
/// event loop, which resolves what belongs to the connection (the session lock a request
/// names), and performed off it (`AMQPConnection.offLoop`): schedule, cancel, dispositions,
/// receive by sequence number, session state and rules write to the journal, and under
/// `--fsync always` they wait for its fdatasync.
struct ManagementOperation: Sendable {
    struct Failure: Error {
        var status: Int32
        var condition: String
        var description: String
    }

    /// The answer's `statusCode`, its error condition and description when it failed, and its body.
    struct Outcome: Sendable {
        var status: Int32 = 200
        var condition: String?
        var description = "OK"
        var body: [(String, AMQPValue)] = []
    }

    static let maxPeek = 250

    let name: String
    let body: AMQPValue
    let entity: String
    let queues: QueueStore
    /// The session a session receiver of this connection holds, named by the request's `session-id`.
    let heldSession: SessionLock?
    /// Who changes rules, for the audit log.
    let actor: AuditActor

    /// Performs the operation; every failure becomes the status and condition the SDKs read.
    func outcome() -> Outcome {
        do {
            let (status, body) = try perform()
            return Outcome(status: status, body: body)
        } catch let f as Failure {
            return Outcome(status: f.status, condition: f.condition, description: f.description)
        } catch let e as WharfError {
            let mapped = AMQPConnection.amqpError(e)
            return Outcome(status: Self.status(e), condition: mapped.condition, description: mapped.description ?? "")
        } catch {
            return Outcome(status: 500, condition: AMQPError.internalError, description: "\(error)")
        }
    }

    static func status(_ e: WharfError) -> Int32 {
        switch e {
        case .unknownQueue, .messageNotFound: 404
        case .messageLockLost, .sessionLockLost: 410
        case .sessionCannotBeLocked: 409
        case .invalidArgument, .invalidName, .malformed: 400
        default: 500
        }
    }

    private func perform() throws -> (Int32, [(String, AMQPValue)]) {
        switch name {
        case "com.microsoft:peek-message":
            let from = body[key: "from-sequence-number"]?.integer ?? 1
            let count = Int(clamping: body[key: "message-count"]?.integer ?? 1)
            let found = try queues.peek(entity, fromSequenceNumber: max(1, from), max: max(1, min(count, Self.maxPeek)))
                .filter { m in body[key: "session-id"]?.text.map { $0 == m.sessionId } ?? true }
            if found.isEmpty { return (204, []) }
            let list = found.map { m in AMQPValue.stringMap([("message", .binary(ServiceBusMessageMapping.delivered(m, peeked: true).encoded()))]) }
            return (200, [("messages", .list(list))])
        case "com.microsoft:renew-lock":
            var expirations: [AMQPValue] = []
            for token in lockTokens() { expirations.append(.timestamp(try queues.renewLock(entity, lockToken: token))) }
            return (200, [("expirations", .array(expirations))])
        case "com.microsoft:receive-by-sequence-number":
            let seqs = (body[key: "sequence-numbers"]?.listValue ?? []).compactMap(\.integer)
            let mode: ReceiveMode = body[key: "receiver-settle-mode"]?.integer == 0 ? .receiveAndDelete : .peekLock
            let got = try queues.receiveDeferred(entity, sequenceNumbers: seqs, mode: mode, session: heldSession)
            let list = got.map { m -> AMQPValue in
                var pairs: [(String, AMQPValue)] = [("message", .binary(ServiceBusMessageMapping.delivered(m, peeked: false).encoded()))]
                if let t = m.lockToken, let u = UUID(uuidString: t) { pairs.append(("lock-token", .uuid(u))) }
                return .stringMap(pairs)
            }
            return (200, [("messages", .list(list))])
        case "com.microsoft:update-disposition":
            let status = body[key: "disposition-status"]?.text ?? ""
            // .NET's properties to modify (abandon, defer, dead-letter).
            let changes = try ServiceBusMessageMapping.propertyChanges(body[key: "properties-to-modify"] ?? .null)
            for token in lockTokens() {
                switch status {
                case "completed": try queues.complete(entity, lockToken: token)
                case "abandoned": try queues.abandon(entity, lockToken: token, modifying: changes)
                case "defered", "deferred": try queues.deferMessage(entity, lockToken: token, modifying: changes)
                case "suspended":
                    try queues.deadLetter(entity, lockToken: token, reason: body[key: "deadletter-reason"]?.text,
                                          description: body[key: "deadletter-description"]?.text, modifying: changes)
                default: throw Failure(status: 400, condition: AMQPError.argumentError, description: "unknown disposition-status '\(status)'")
                }
            }
            return (200, [])
        case "com.microsoft:schedule-message":
            var seqs: [AMQPValue] = []
            for item in body[key: "messages"]?.listValue ?? [] {
                guard let bytes = item[key: "message"]?.bytes else { continue }
                let m = try ServiceBusMessageMapping.outgoing(try AMQPMessage(payload: bytes))
                let at = m.scheduledEnqueueTime ?? queues.clock.nowMillis()
                seqs.append(.long(try queues.schedule(entity, m, at: at)))
            }
            return (200, [("sequence-numbers", .array(seqs))])
        case "com.microsoft:cancel-scheduled-message":
            for seq in (body[key: "sequence-numbers"]?.listValue ?? []).compactMap(\.integer) {
                try queues.cancelScheduled(entity, sequenceNumber: seq)
            }
            return (200, [])
        case "com.microsoft:renew-session-lock":
            let until = try queues.renewSessionLock(try session())
            return (200, [("expiration", .timestamp(until))])
        case "com.microsoft:get-session-state":
            return (200, [("session-state", try queues.sessionState(try session()).map { .binary($0) } ?? .null)])
        case "com.microsoft:set-session-state":
            try queues.setSessionState(try session(), body[key: "session-state"]?.bytes)
            return (200, [])
        case _ where Self.ruleOperations.contains(name):
            return try performRuleOperation()
        default:
            throw Failure(status: 501, condition: AMQPError.notImplemented, description: "operation '\(name)' is not supported by Wharf yet")
        }
    }

    private func lockTokens() -> [String] {
        (body[key: "lock-tokens"]?.listValue ?? []).compactMap { v in
            if case .uuid(let u) = v { return u.uuidString.lowercased() }
            return nil
        }
    }

    private func session() throws(WharfError) -> SessionLock {
        guard let heldSession else { throw .sessionLockLost("no session of this connection is named in the request") }
        return heldSession
    }
}
