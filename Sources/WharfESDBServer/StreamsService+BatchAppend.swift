import Foundation
import GRPCCore
import SwiftProtobuf
import WharfESDBProtocol
import WharfEvents

/// BatchAppend: one bidirectional call carries many appends, each under its correlation id,
/// possibly split into chunks joined until `is_final` (the .NET client multiplexes; the Python
/// client sends one final chunk and reads one answer). Each append is answered in the stream,
/// with a success or a `google.rpc.Status` whose details name the error.
extension StreamsService {
    /// An append whose chunks have not all arrived.
    private struct Pending {
        var options: EventStore_Client_Streams_BatchAppendReq.Options
        var events: [EventData] = []
        var size = 0
    }

    /// Appends in progress at once on one call; more is a misbehaving client.
    static let maxPendingBatchAppends = 1024

    func batchAppend(request: RPCAsyncSequence<EventStore_Client_Streams_BatchAppendReq, any Error>,
                     response: RPCWriter<EventStore_Client_Streams_BatchAppendResp>, context: ServerContext) async throws {
        var pending: [UUID: Pending] = [:]
        for try await chunk in request {
            guard let correlation = ESDBWire.uuid(chunk.correlationID) else {
                throw ESDBError.badRequest("a BatchAppendReq needs a correlation id").rpcError(operation: "Append")
            }
            var answer = EventStore_Client_Streams_BatchAppendResp()
            answer.correlationID = chunk.correlationID
            do {
                var append: Pending
                if let started = pending.removeValue(forKey: correlation) {
                    append = started
                } else {
                    guard chunk.hasOptions else { throw ESDBError.badRequest("the first chunk of an append must carry its options") }
                    guard pending.count < Self.maxPendingBatchAppends else { throw ESDBError.badRequest("too many appends in progress") }
                    append = Pending(options: chunk.options)
                }
                for m in chunk.proposedMessages {
                    append.size = append.size &+ m.data.count &+ m.customMetadata.count
                    guard append.size <= ESDBLimits.maxAppendSize else { throw ESDBError.maximumAppendSizeExceeded(ESDBLimits.maxAppendSize) }
                    append.events.append(try ESDBWire.eventData(id: m.id, metadata: m.metadata, customMetadata: m.customMetadata, data: m.data))
                }
                answer.streamIdentifier = append.options.streamIdentifier
                copyExpected(append.options.expectedStreamPosition, to: &answer)
                guard chunk.isFinal else {
                    pending[correlation] = append
                    continue
                }
                answer.success = try batchAppend(append.options, events: append.events)
            } catch let error as ESDBError {
                answer.error = error.status
            }
            try await response.write(answer)
        }
    }

    private func batchAppend(_ options: EventStore_Client_Streams_BatchAppendReq.Options,
                             events: [EventData]) throws(ESDBError) -> EventStore_Client_Streams_BatchAppendResp.Success {
        if case .deadline(let d) = options.deadlineOption, d.seconds < 0 || (d.seconds == 0 && d.nanos <= 0) {
            throw .deadlineExceeded
        }
        let stream = try ESDBWire.streamName(options.streamIdentifier)
        let expected: ExpectedVersion = switch options.expectedStreamPosition {
        case .streamPosition(let n): .exact(n)
        case .noStream: .noStream
        case .streamExists: .streamExists
        case .any, nil: .any
        }
        var success = EventStore_Client_Streams_BatchAppendResp.Success()
        if events.isEmpty {
            if let current = try streams.checkEmptyAppend(stream: stream, expected: expected) { success.currentRevision = current } else {
                success.noStream = Google_Protobuf_Empty()
            }
            success.noPosition = Google_Protobuf_Empty()
            return success
        }
        let result = try streams.append(stream: stream, events: events, expected: expected)
        success.currentRevision = result.nextExpectedVersion
        success.position.commitPosition = ESDBWire.commitPosition(result.position)
        success.position.preparePosition = ESDBWire.commitPosition(result.position)
        return success
    }

    private func copyExpected(_ option: EventStore_Client_Streams_BatchAppendReq.Options.OneOf_ExpectedStreamPosition?,
                              to answer: inout EventStore_Client_Streams_BatchAppendResp) {
        switch option {
        case .streamPosition(let n): answer.streamPosition = n
        case .noStream: answer.noStream = Google_Protobuf_Empty()
        case .streamExists: answer.streamExists = Google_Protobuf_Empty()
        case .any, nil: answer.any = Google_Protobuf_Empty()
        }
    }
}
