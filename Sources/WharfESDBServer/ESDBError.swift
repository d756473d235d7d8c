import GRPCCore
import SwiftProtobuf
import WharfCore
import WharfESDBProtocol
import WharfEvents

/// What can go wrong in a call, in EventStoreDB's terms. Each case has the shape the clients
/// parse: a gRPC status with KurrentDB's message text and `exception` trailers (`rpcError`), or,
/// inside a BatchAppend response, a `google.rpc.Status` whose `details` the client unpacks by type.
enum ESDBError: Error, Equatable {
    case wrongExpectedVersion(stream: String, expected: ExpectedVersion, actual: UInt64?)
    case streamDeleted(String)
    case badRequest(String)
    case missingRequiredMetadata
    case maximumAppendSizeExceeded(Int)
    case unavailable(String)
    /// A BatchAppend whose deadline had already passed.
    case deadlineExceeded
    /// The caller may not do this to the stream (`ESDBAccess`): the clients' AccessDeniedError.
    case accessDenied

    /// Maps the store's refusals; anything else is the server's fault (the store is closed, or
    /// its disk failed) and the client should retry elsewhere: UNAVAILABLE.
    init(_ error: WharfError, stream: String, expected: ExpectedVersion, actual: UInt64?) {
        switch error {
        case .wrongExpectedVersion(_, _, let actual): self = .wrongExpectedVersion(stream: stream, expected: expected, actual: actual)
        // A partial overlap with earlier event ids: EventStoreDB answers WrongExpectedVersion.
        case .duplicateEventIds: self = .wrongExpectedVersion(stream: stream, expected: expected, actual: actual)
        case .invalidName(let why), .invalidArgument(let why): self = .badRequest(why)
        case .recordTooLarge: self = .maximumAppendSizeExceeded(ESDBLimits.maxAppendSize)
        default: self = .unavailable("\(error)")
        }
    }

    /// KurrentDB's encoding of an expected version in messages: a revision, or -1 no stream,
    /// -2 any, -4 stream exists.
    static func number(_ expected: ExpectedVersion) -> Int64 {
        switch expected {
        case .exact(let n): Int64(clamping: n)
        case .noStream: -1
        case .any: -2
        case .streamExists: -4
        }
    }

    /// The error as a gRPC status (Append, Delete, Tombstone, Read).
    func rpcError(operation: String) -> RPCError {
        switch self {
        case .wrongExpectedVersion(let stream, let expected, let actual):
            let actualNumber = actual.map { Int64(clamping: $0) } ?? -1
            return RPCError(
                code: .failedPrecondition,
                message: "\(operation) failed due to WrongExpectedVersion. Stream: \(stream), Expected version: \(Self.number(expected)), Actual version: \(actualNumber)",
                metadata: ["exception": "wrong-expected-version", "stream-name": .string(stream),
                           "expected-version": .string("\(Self.number(expected))"), "actual-version": .string("\(actualNumber)")])
        case .streamDeleted(let stream):
            return RPCError(code: .failedPrecondition, message: "Event stream '\(stream)' is deleted.",
                            metadata: ["exception": "stream-deleted", "stream-name": .string(stream)])
        case .badRequest(let why):
            return RPCError(code: .invalidArgument, message: why, metadata: ["exception": "invalid-argument"])
        case .missingRequiredMetadata:
            return RPCError(code: .invalidArgument, message: "Required metadata properties are missing: type, content-type",
                            metadata: ["exception": "missing-required-metadata-property", "required-properties": "type,content-type"])
        case .maximumAppendSizeExceeded(let max):
            return RPCError(code: .invalidArgument, message: "Maximum Append Size of \(max) Exceeded.",
                            metadata: ["exception": "maximum-append-size-exceeded", "maximum-append-size": .string("\(max)")])
        case .unavailable(let why):
            return RPCError(code: .unavailable, message: "Server Is Not Ready: \(why)", metadata: ["exception": "not-ready"])
        case .deadlineExceeded:
            return RPCError(code: .deadlineExceeded, message: "Append timeout", metadata: ["exception": "timeout"])
        case .accessDenied:
            return RPCError(code: .permissionDenied, message: "Access Denied", metadata: ["exception": "access-denied"])
        }
    }

    /// The error inside a BatchAppend response: `Status{code, message, details: Any}`.
    var status: Google_Rpc_Status {
        var status = Google_Rpc_Status()
        // Packing these small messages cannot fail; an empty Any would still carry the code.
        func detail(_ message: some SwiftProtobuf.Message) { status.details = (try? Google_Protobuf_Any(message: message)) ?? Google_Protobuf_Any() }
        switch self {
        case .wrongExpectedVersion(_, let expected, let actual):
            status.code = .alreadyExists
            var wev = EventStore_Client_WrongExpectedVersion()
            if let actual { wev.currentStreamRevision = actual } else { wev.currentNoStream = Google_Protobuf_Empty() }
            switch expected {
            case .exact(let n): wev.expectedStreamPosition = n
            case .any: wev.expectedAny = Google_Protobuf_Empty()
            case .noStream: wev.expectedNoStream = Google_Protobuf_Empty()
            case .streamExists: wev.expectedStreamExists = Google_Protobuf_Empty()
            }
            detail(wev)
        case .streamDeleted(let stream):
            status.code = .notFound
            var deleted = EventStore_Client_StreamDeleted()
            deleted.streamIdentifier = ESDBWire.streamIdentifier(stream)
            detail(deleted)
        case .badRequest(let why):
            status.code = .invalidArgument
            var bad = EventStore_Client_BadRequest()
            bad.message = why
            detail(bad)
        case .missingRequiredMetadata:
            status.code = .invalidArgument
            var bad = EventStore_Client_BadRequest()
            bad.message = "Required metadata properties are missing: type, content-type"
            detail(bad)
        case .maximumAppendSizeExceeded(let max):
            status.code = .invalidArgument
            var exceeded = EventStore_Client_MaximumAppendSizeExceeded()
            exceeded.maxAppendSize = UInt32(clamping: max)
            detail(exceeded)
        case .unavailable:
            status.code = .unavailable
            detail(EventStore_Client_Unknown())
        case .deadlineExceeded:
            status.code = .deadlineExceeded
            detail(EventStore_Client_Timeout())
        case .accessDenied:
            status.code = .permissionDenied
            detail(EventStore_Client_AccessDenied())
        }
        status.message = rpcError(operation: "Append").message
        return status
    }
}

/// Sizes the listener enforces.
enum ESDBLimits {
    /// Bytes of event data and metadata one append may carry (KurrentDB's default, 1 MiB, is
    /// raised to what Wharf's event store takes in one batch).
    static let maxAppendSize = 8 * 1024 * 1024 - 64 * 1024
}
