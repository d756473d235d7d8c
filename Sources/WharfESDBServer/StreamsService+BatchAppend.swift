import Foundation
import GRPCCore
import SwiftProtobuf
import WharfESDBProtocol
import WharfEvents

/// BatchAppend: one bidirectional call carries many appends, each under its correlation id,
/// possibly split into chunks joined until `is_final` (the .NET client multiplexes; the Python
/// client sends one final chunk and reads one answer). Each append is answered in the stream,
/// with a success or a `google.rpc.Status` whose details name the error, in the order the appends
/// were written: each is written when its last chunk arrives, and answered once durable by the
/// call's answering task (`BatchAppendAnswers`), while the reader goes on with the next one.
extension StreamsService {
    /// An append whose chunks have not all arrived.
    private struct Pending {
        var options: EventStore_Client_Streams_BatchAppendReq.Options
        var events: [EventData] = []
        var size = 0
    }

    /// An answer, and the write whose durability it waits for (none: an error or an empty append).
    private struct Answer: Sendable {
        var answer: EventStore_Client_Streams_BatchAppendResp
        var write: ESDBWrite?

        func whenDurable() async -> EventStore_Client_Streams_BatchAppendResp {
            guard let write else { return answer }
            var answer = answer
            do { answer.success = StreamsService.success(try await write.durable()) } catch { answer.error = error.status }
            return answer
        }
    }

    /// Appends in progress at once on one call; more is a misbehaving client.
    static let maxPendingBatchAppends = 1024
    /// Written appends of one call waiting for their fdatasync before their answers go out.
    static let maxUnansweredBatchAppends = 1024

    func batchAppend(request: RPCAsyncSequence<EventStore_Client_Streams_BatchAppendReq, any Error>,
                     response: RPCWriter<EventStore_Client_Streams_BatchAppendResp>, context: ServerContext) async throws {
        let answers = BatchAppendAnswers<Answer>(limit: Self.maxUnansweredBatchAppends)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { answers.stop() }
                while let next = await answers.take() { try await response.write(await next.whenDurable()) }
            }
            do { try await readAppends(request, answering: answers) } catch {
                answers.finish()
                throw error
            }
            answers.finish()
            try await group.waitForAll()
        }
    }

    /// The call's reader: joins each append's chunks and writes it when the last one arrives.
    private func readAppends(_ request: RPCAsyncSequence<EventStore_Client_Streams_BatchAppendReq, any Error>,
                             answering answers: BatchAppendAnswers<Answer>) async throws {
        var pending: [UUID: Pending] = [:]
        for try await chunk in request {
            guard let correlation = ESDBWire.uuid(chunk.correlationID) else {
                throw ESDBError.badRequest("a BatchAppendReq needs a correlation id").rpcError(operation: "Append")
            }
            var answer = Answer(answer: EventStore_Client_Streams_BatchAppendResp())
            answer.answer.correlationID = chunk.correlationID
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
                answer.answer.streamIdentifier = append.options.streamIdentifier
                copyExpected(append.options.expectedStreamPosition, to: &answer.answer)
                guard chunk.isFinal else {
                    pending[correlation] = append
                    continue
                }
                switch try write(append.options, events: append.events) {
                case .answered(let success): answer.answer.success = success
                case .written(let write): answer.write = write
                }
            } catch let error as ESDBError {
                answer.answer.error = error.status
            }
            guard await answers.put(answer) else { throw CancellationError() }
        }
    }

    /// What one append of a call came to: answered at once (an empty append) or written.
    private enum Outcome {
        case answered(EventStore_Client_Streams_BatchAppendResp.Success)
        case written(ESDBWrite)
    }

    private func write(_ options: EventStore_Client_Streams_BatchAppendReq.Options, events: [EventData]) throws(ESDBError) -> Outcome {
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
            return .answered(success)
        }
        return .written(try streams.write(stream: stream, events: events, expected: expected))
    }

    static func success(_ result: WriteResult) -> EventStore_Client_Streams_BatchAppendResp.Success {
        var success = EventStore_Client_Streams_BatchAppendResp.Success()
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
