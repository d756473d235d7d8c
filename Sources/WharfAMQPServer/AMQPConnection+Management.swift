import WharfAMQP
import WharfCore
import WharfEngine

/// The `$management` node of an entity (reference §5): request/response operations on the
/// queue engine (`ManagementOperation`). Responses go on the link whose target is the request's
/// reply-to.
extension AMQPConnection {
    func answerManagement(_ payload: [UInt8], entity: String, _ s: AMQPSession) {
        guard let request = try? AMQPMessage(payload: payload) else { return }
        let props = AMQPValue.map(request.applicationProperties ?? [])
        let name = props[key: "operation"]?.text ?? ""
        var body: AMQPValue = .null
        if case .value(let v) = request.body { body = v }
        let needed: ServiceBusRight = ManagementOperation.ruleOperations.contains(name) ? .manage
            : ["com.microsoft:schedule-message", "com.microsoft:cancel-scheduled-message"].contains(name) ? .send : .listen
        guard isAuthorized(entity, for: needed) else {
            let refused = ManagementOperation.Outcome(status: 401, condition: AMQPError.unauthorized,
                                                      description: Self.missingClaim(needed, entity).description ?? "")
            return respond(to: request, refused, s)
        }
        let operation = ManagementOperation(name: name, body: body, entity: entity, queues: queues,
                                            heldSession: heldSession(body), actor: actor)
        offLoop(operation.outcome) { [self] outcome in respond(to: request, outcome, s) }
    }

    private func respond(to request: AMQPMessage, _ outcome: ManagementOperation.Outcome, _ s: AMQPSession) {
        var appProps: [AMQPValue.Pair] = [.init(.string("statusCode"), .int(outcome.status)),
                                          .init(.string("statusDescription"), .string(outcome.description))]
        if let condition = outcome.condition { appProps.append(.init(.string("errorCondition"), .symbol(condition))) }
        var p = AMQPMessage.Properties()
        p.correlationId = request.properties?.messageId ?? .null
        let response = AMQPMessage(properties: p, applicationProperties: appProps, body: .value(.stringMap(outcome.body)))
        let replyTo = request.properties?.replyTo
        let target = s.links.values.first { l in
            if case .managementResponses = l.role { return replyTo == nil || l.targetAddress == replyTo }
            return false
        }
        if let target { sendResponse(response, on: target, s) }
    }

    /// Who changes rules over AMQP, for the audit log: this connection, authorized by a SAS token.
    private var actor: AuditActor { .client(address: "amqp \(containerId)", principal: "SharedAccessSignature") }

    /// The session a session receiver of this connection holds, named by `session-id`.
    private func heldSession(_ body: AMQPValue) -> SessionLock? {
        guard let id = body[key: "session-id"]?.text else { return nil }
        for session in sessions.values {
            for link in session.links.values {
                if case .receiver(_, _, let held?) = link.role, held.sessionId == id { return held }
            }
        }
        return nil
    }
}
