import Foundation
import WharfAMQP
import WharfCore

/// The CBS node `$cbs` (reference §2): `put-token` with a SAS token signed by one of the data
/// directory's keys authorizes the token's audience for this connection.
extension AMQPConnection {
    // The `type` property is not trusted: azure-servicebus 7.15 labels its SAS tokens `jwt`. A
    // token is verified as a SAS token by its form; anything else (Entra ID JWTs) is refused.

    /// Text sent as a string, symbol or binary (Python's SDK passes `type` and sometimes the
    /// token as bytes, which pyamqp encodes as binary).
    private static func lenientText(_ v: AMQPValue?) -> String? {
        if let b = v?.bytes { return String(decoding: b, as: UTF8.self) }
        return v?.text
    }

    func answerPutToken(_ payload: [UInt8], _ s: AMQPSession) {
        guard let request = try? AMQPMessage(payload: payload) else { return }
        let props = AMQPValue.map(request.applicationProperties ?? [])
        var status: Int32 = 202
        var description = "Accepted"
        if Self.lenientText(props[key: "operation"]) != "put-token" {
            (status, description) = (400, "unknown CBS operation")
        } else if case .value(let body) = request.body, let token = Self.lenientText(body), let sas = SharedAccessSignature(token),
                  let audience = Self.lenientText(props[key: "name"]) {
            let now = Int64(Date().timeIntervalSince1970)
            let scope = ServiceBusAddress.path(sas.resource).lowercased()
            let wanted = ServiceBusAddress.path(audience).lowercased()
            if let problem = sas.problem(keys: keys(), nowSeconds: now) {
                (status, description) = (401, "InvalidSignature: \(problem)")
            } else if !(scope.isEmpty || wanted == scope || wanted.hasPrefix(scope + "/")) {
                (status, description) = (401, "the token's audience does not cover '\(audience)'")
            } else {
                authorized[wanted] = sas.expiry
                authorizedRights[wanted] = rights(sas.keyName)
            }
        } else {
            (status, description) = (401, "not a SharedAccessSignature token")
        }
        if status != 202 { logger.info("amqp put-token refused", metadata: ["reason": "\(description)"]) }
        var props2 = AMQPMessage.Properties()
        props2.correlationId = request.properties?.messageId ?? .null
        let response = AMQPMessage(properties: props2,
                                   applicationProperties: [.init(.string("status-code"), .int(status)),
                                                           .init(.string("status-description"), .string(description))],
                                   body: .value(.null))
        // Python names no reply-to on CBS: the response goes on the session's `$cbs` link Wharf sends on.
        let replyTo = request.properties?.replyTo
        let link = s.links.values.first { l in
            if case .cbsResponses = l.role { return replyTo == nil || l.targetAddress == replyTo }
            return false
        } ?? s.links.values.first { if case .cbsResponses = $0.role { return true } else { return false } }
        if let link { sendResponse(response, on: link, s) }
    }
}
