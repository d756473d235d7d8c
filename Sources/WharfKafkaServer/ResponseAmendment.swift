import KafkaProtocol

/// A change to the answer of a request whose authorized part the broker ran: it adds the
/// refused items (with their authorization error) and drops what the client may not see.
/// Type-erased over the response message, so the dispatch's one `reply` applies it to any API.
struct ResponseAmendment: Sendable {
    private let change: @Sendable (any KafkaResponseMessage) -> any KafkaResponseMessage

    static func of<B: KafkaResponseMessage>(_ body: @escaping @Sendable (inout B) -> Void) -> ResponseAmendment {
        ResponseAmendment { response in
            guard var typed = response as? B else { return response }
            body(&typed)
            return typed
        }
    }

    func apply<B: KafkaResponseMessage>(to response: B) -> B {
        (change(response) as? B) ?? response
    }
}

/// What authorization makes of one request.
enum AuthorizationPlan {
    /// Run `body` (the request minus its refused items), then amend the answer.
    case proceed(KafkaRequestBody, ResponseAmendment?)
    /// Refused as a whole: this is the answer.
    case refuse(KafkaResponseBody)
}
