import GRPCCore
import WharfCore

/// A persistent-subscription call's refusal, with the status, message and `exception` trailer
/// KurrentDB sends (the Python clients pick the exception class by status, and for
/// FAILED_PRECONDITION by the message's start: "Maximum subscriptions reached").
enum PersistentSubscriptionError: Error, Equatable {
    case exists(group: String, stream: String)
    case doesNotExist(group: String, stream: String)
    case maximumSubscribersReached(group: String, stream: String)
    /// Invalid settings or an operation the group cannot do: INTERNAL, as KurrentDB answers.
    case failed(group: String, stream: String, reason: String)
    /// The group was deleted while a consumer was reading it.
    case dropped(group: String, stream: String)
    case badRequest(String)
    /// The client sent more ack/nack messages (or ids) than the call queues before applying them.
    case floodedAcks(messages: Int, ids: Int)
    /// The store is closed or its disk failed: the client should retry.
    case unavailable(String)

    /// Maps the engine's refusal for `group` on `stream` (the wire name: `$all` or the stream).
    init(_ error: WharfError, group: String, stream: String) {
        switch error {
        case .unknownSubscription: self = .doesNotExist(group: group, stream: stream)
        case .subscriptionExists: self = .exists(group: group, stream: stream)
        case .policyViolation: self = .maximumSubscribersReached(group: group, stream: stream)
        case .invalidArgument(let why), .invalidName(let why): self = .failed(group: group, stream: stream, reason: why)
        default: self = .unavailable("\(error)")
        }
    }

    var rpcError: RPCError {
        switch self {
        case .exists(let group, let stream):
            RPCError(code: .alreadyExists, message: "Subscription group \(group) on stream \(stream) exists.",
                     metadata: ["exception": "persistent-subscription-exists", "stream-name": .string(stream), "group-name": .string(group)])
        case .doesNotExist(let group, let stream):
            RPCError(code: .notFound, message: "Subscription group '\(group)' on stream '\(stream)' does not exist.",
                     metadata: ["exception": "persistent-subscription-does-not-exist", "stream-name": .string(stream), "group-name": .string(group)])
        case .maximumSubscribersReached(let group, let stream):
            RPCError(code: .failedPrecondition, message: "Maximum subscriptions reached for subscription group '\(group)' on stream '\(stream).'",
                     metadata: ["exception": "maximum-subscribers-reached", "stream-name": .string(stream), "group-name": .string(group)])
        case .failed(let group, let stream, let reason):
            RPCError(code: .internalError, message: "Subscription group \(group) on stream \(stream) failed: '\(reason)'",
                     metadata: ["exception": "persistent-subscription-failed", "stream-name": .string(stream), "group-name": .string(group),
                                "reason": .string(reason)])
        case .dropped(let group, let stream):
            RPCError(code: .cancelled, message: "Subscription group '\(group)' on stream '\(stream)' was dropped.",
                     metadata: ["exception": "persistent-subscription-dropped", "stream-name": .string(stream), "group-name": .string(group)])
        case .badRequest(let why):
            RPCError(code: .invalidArgument, message: why, metadata: ["exception": "invalid-argument"])
        case .floodedAcks(let messages, let ids):
            RPCError(code: .resourceExhausted,
                     message: "Too many ack/nack messages waiting to be applied (at most \(messages) messages and \(ids) ids are queued)",
                     metadata: ["exception": "too-many-messages"])
        case .unavailable(let why):
            RPCError(code: .unavailable, message: "Server Is Not Ready: \(why)", metadata: ["exception": "not-ready"])
        }
    }
}
