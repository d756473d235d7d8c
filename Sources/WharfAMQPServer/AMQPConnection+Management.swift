import Foundation
import WharfAMQP
import WharfCore
import WharfEngine

/// The `$management` node of an entity (reference §5): request/response operations on the
/// queue engine. Responses go on the link whose target is the request's reply-to.
extension AMQPConnection {
    struct ManagementFailure: Error {
        var status: Int32
        var condition: String
        var description: String
    }

    static let maxPeek = 250

    func answerManagement(_ payload: [UInt8], entity: String, link: AMQPLink, _ s: AMQPSession) {
        guard let request = try? AMQPMessage(payload: payload) else { return }
        let props = AMQPValue.map(request.applicationProperties ?? [])
        let operation = props[key: "operation"]?.text ?? ""
        var body: AMQPValue = .null
        if case .value(let v) = request.body { body = v }
        var status: Int32 = 200
        var description = "OK"
        var condition: String?
        var result: [(String, AMQPValue)] = []
        do {
            let needed: ServiceBusRight = Self.ruleOperations.contains(operation) ? .manage
                : ["com.microsoft:schedule-message", "com.microsoft:cancel-scheduled-message"].contains(operation) ? .send : .listen
            guard isAuthorized(entity, for: needed) else {
                throw ManagementFailure(status: 401, condition: AMQPError.unauthorized, description: Self.missingClaim(needed, entity).description ?? "")
            }
            (status, result) = try perform(operation, body, entity: entity, s)
        } catch let f as ManagementFailure {
            (status, condition, description) = (f.status, f.condition, f.description)
        } catch let e as WharfError {
            let mapped = Self.amqpError(e)
            (status, condition, description) = (Self.status(e), mapped.condition, mapped.description ?? "")
        } catch {
            (status, condition, description) = (500, AMQPError.internalError, "\(error)")
        }
        var appProps: [AMQPValue.Pair] = [.init(.string("statusCode"), .int(status)), .init(.string("statusDescription"), .string(description))]
        if let condition { appProps.append(.init(.string("errorCondition"), .symbol(condition))) }
        var p = AMQPMessage.Properties()
        p.correlationId = request.properties?.messageId ?? .null
        let response = AMQPMessage(properties: p, applicationProperties: appProps, body: .value(.stringMap(result)))
        let replyTo = request.properties?.replyTo
        let target = s.links.values.first { l in
            if case .managementResponses = l.role { return replyTo == nil || l.targetAddress == replyTo }
            return false
        }
        if let target { sendResponse(response, on: target, s) }
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

    private func perform(_ operation: String, _ body: AMQPValue, entity: String, _ s: AMQPSession) throws -> (Int32, [(String, AMQPValue)]) {
        switch operation {
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
            for token in try lockTokens(body) { expirations.append(.timestamp(try queues.renewLock(entity, lockToken: token))) }
            return (200, [("expirations", .array(expirations))])
        case "com.microsoft:receive-by-sequence-number":
            let seqs = (body[key: "sequence-numbers"]?.listValue ?? []).compactMap(\.integer)
            let mode: ReceiveMode = body[key: "receiver-settle-mode"]?.integer == 0 ? .receiveAndDelete : .peekLock
            let got = try queues.receiveDeferred(entity, sequenceNumbers: seqs, mode: mode, session: heldSession(body, s))
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
            for token in try lockTokens(body) {
                switch status {
                case "completed": try queues.complete(entity, lockToken: token)
                case "abandoned": try queues.abandon(entity, lockToken: token, modifying: changes)
                case "defered", "deferred": try queues.deferMessage(entity, lockToken: token, modifying: changes)
                case "suspended":
                    try queues.deadLetter(entity, lockToken: token, reason: body[key: "deadletter-reason"]?.text,
                                          description: body[key: "deadletter-description"]?.text, modifying: changes)
                default: throw ManagementFailure(status: 400, condition: AMQPError.argumentError, description: "unknown disposition-status '\(status)'")
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
            guard let held = heldSession(body, s) else { throw WharfError.sessionLockLost("no session of this connection is named in the request") }
            let until = try queues.renewSessionLock(held)
            return (200, [("expiration", .timestamp(until))])
        case "com.microsoft:get-session-state":
            guard let held = heldSession(body, s) else { throw WharfError.sessionLockLost("no session of this connection is named in the request") }
            return (200, [("session-state", try queues.sessionState(held).map { .binary($0) } ?? .null)])
        case "com.microsoft:set-session-state":
            guard let held = heldSession(body, s) else { throw WharfError.sessionLockLost("no session of this connection is named in the request") }
            try queues.setSessionState(held, body[key: "session-state"]?.bytes)
            return (200, [])
        case _ where Self.ruleOperations.contains(operation):
            return try performRuleOperation(operation, body, entity: entity)
        default:
            throw ManagementFailure(status: 501, condition: AMQPError.notImplemented, description: "operation '\(operation)' is not supported by Wharf yet")
        }
    }

    private func lockTokens(_ body: AMQPValue) throws -> [String] {
        (body[key: "lock-tokens"]?.listValue ?? []).compactMap { v in
            if case .uuid(let u) = v { return u.uuidString.lowercased() }
            return nil
        }
    }

    /// The session a session receiver of this connection holds, named by `session-id`.
    private func heldSession(_ body: AMQPValue, _ s: AMQPSession) -> SessionLock? {
        guard let id = body[key: "session-id"]?.text else { return nil }
        for session in sessions.values {
            for link in session.links.values {
                if case .receiver(_, _, let held?) = link.role, held.sessionId == id { return held }
            }
        }
        return nil
    }
}
