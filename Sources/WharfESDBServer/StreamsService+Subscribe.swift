import Foundation
import GRPCCore
import SwiftProtobuf
import WharfCore
import WharfESDBProtocol
import WharfEvents

/// Catch-up subscriptions (Read with `subscription`): a confirmation first, then the history,
/// `caught_up` once the history seen at the start has been delivered, then live events, until the
/// client cancels. Start points are exclusive (a checkpoint is "already processed"): a stream
/// revision r resumes at r+1, a `$all` position at the next event. Filtered `$all`
/// subscriptions send a checkpoint every `max × checkpointIntervalMultiplier` considered events,
/// so a client whose events are rare can still save its place.
///
/// Built on the store's own catch-up subscription (gap-free handover from history to live, see
/// `CatchUpSubscription`), so these subscriptions show in the dashboard like the embedded ones.
extension StreamsService {
    func subscribe(_ options: ReadReq.Options, filter: ReadFilter?, out: ReadOutput) async throws {
        switch options.streamOption {
        case .all(let all):
            let start: StartPoint = switch all.allOption {
            case .position(let p) where p.commitPosition > 0: .after(ESDBWire.storePosition(p.commitPosition))
            case .end: .end
            case .position, .start, nil: .start
            }
            try await confirm(out)
            try await subscribeAll(from: start, filter: filter, out: out)
        case .stream(let s):
            let name = try wire { () throws(ESDBError) in try ESDBWire.streamName(s.streamIdentifier) }
            let start: StartPoint = switch s.revisionOption {
            case .revision(let r): .after(r)
            case .end: .end
            case .start, nil: .start
            }
            if let link = LinkStream(name: name) {
                try await confirm(out)
                try await subscribeLinks(link, from: start, out: out)
            } else {
                let status = try storeCall { () throws(WharfError) in try streams.status(of: name) }
                guard !status.tombstoned else { throw ESDBError.streamDeleted(name).rpcError(operation: "Read") }
                try await confirm(out)
                try await subscribeStream(name, from: start, hiddenBelow: status.firstVisible, out: out)
            }
        case nil:
            throw ESDBError.badRequest("a subscription names a stream or $all").rpcError(operation: "Read")
        }
    }

    private func confirm(_ out: ReadOutput) async throws {
        var message = ReadResp()
        message.confirmation.subscriptionID = UUID().uuidString.lowercased()
        try await out.writer.write(.message(message))
    }

    private func caughtUp() -> ReadMessage {
        var message = ReadResp()
        message.caughtUp.timestamp = ESDBWire.timestamp(millis: store.clock.nowMillis())
        return .message(message)
    }

    private func subscribeStream(_ name: String, from start: StartPoint, hiddenBelow first: UInt64, out: ReadOutput) async throws {
        // The history is what exists now; everything after it is live.
        let historyEnd = store.lastRevision(of: name).map { $0 + 1 } ?? 0
        let next: UInt64 = switch start {
        case .start: 0
        case .after(let r): r == .max ? .max : r + 1  // nothing comes after 2^64-1: caught up at once
        case .end: historyEnd
        }
        let events = store.subscribe(to: .stream(name), from: start, name: "esdb \(name)")
        try await deliver(events, next: next, historyEnd: historyEnd, position: \.revision, out: out) { e, messages in
            if e.type == ESDBStreams.tombstoneType { throw ESDBError.streamDeleted(name).rpcError(operation: "Read") }
            if e.revision >= first { messages.append(out.message(e)) }
        }
    }

    private func subscribeAll(from start: StartPoint, filter: ReadFilter?, out: ReadOutput) async throws {
        let historyEnd = store.endPosition
        let next: UInt64 = switch start {
        case .start: 0
        case .after(let p): p == .max ? .max : p + 1  // nothing comes after 2^64-1: caught up at once
        case .end: historyEnd
        }
        var considered = 0
        let events = store.subscribe(to: .all, from: start, name: "esdb $all", includeSystem: true)
        try await deliver(events, next: next, historyEnd: historyEnd, position: \.position, out: out) { e, messages in
            if filter?.matches(e) ?? true { messages.append(out.message(e)) }
            guard let filter else { return }
            considered += 1
            if considered >= filter.checkpointInterval {
                considered = 0
                var message = ReadResp()
                message.checkpoint.commitPosition = ESDBWire.commitPosition(e.position)
                message.checkpoint.preparePosition = message.checkpoint.commitPosition
                message.checkpoint.timestamp = ESDBWire.timestamp(millis: store.clock.nowMillis())
                messages.append(.message(message))
            }
        }
    }

    /// `$ce-<category>` / `$et-<type>`: the `$all` subscription filtered to what the link
    /// stream covers, numbered as its links.
    private func subscribeLinks(_ link: LinkStream, from start: StartPoint, out: ReadOutput) async throws {
        let size = store.linkCount(link)
        var revision: UInt64
        let allStart: StartPoint
        switch start {
        case .start:
            (revision, allStart) = (0, .start)
        case .after(let r) where r &+ 1 < size:
            let at = try storeCall { () throws(WharfError) in try store.readLinkTargets(link, from: r, maxCount: 1) }
            (revision, allStart) = (r + 1, at.first.map { .after($0.position) } ?? .end)
        case .after, .end:
            (revision, allStart) = (size, .end)
        }
        let historyEnd = store.endPosition
        let next: UInt64 = if case .after(let p) = allStart { p + 1 } else if case .end = allStart { historyEnd } else { 0 }
        let events = store.subscribe(to: .all, from: allStart, name: "esdb \(link.name)", includeSystem: true)
        try await deliver(events, next: next, historyEnd: historyEnd, position: \.position, out: out) { e, messages in
            guard link.covers(e) else { return }
            messages.append(out.message(linkTo: e, of: link, revision: revision))
            revision += 1
        }
    }

    /// The loop every catch-up subscription runs: `step` turns each event into the messages it
    /// sends (none, the event, a checkpoint), and `caught_up` goes out once the events before
    /// `historyEnd` (the store's end when it began) have gone by. `next` is where the first
    /// event to come sits and `position` where an event sits (a stream revision or a `$all`
    /// position). Events are taken as the store has them (up to a read's worth at a time) and
    /// their messages written with one write each time, so the transport frames and flushes them
    /// together rather than once per event. Returns only by throwing: cancelled, or the store
    /// closed; a `step` that throws has the messages before it written first.
    private func deliver(_ subscription: CatchUpSubscription, next start: UInt64, historyEnd: UInt64,
                         position: (RecordedEvent) -> UInt64, out: ReadOutput,
                         _ step: (RecordedEvent, inout [ReadMessage]) throws -> Void) async throws {
        var next = start
        var isCaughtUp = false
        var events = subscription.makeAsyncIterator()
        var messages: [ReadMessage] = []
        while true {
            if !isCaughtUp, next >= historyEnd {
                try await out.writer.write(caughtUp())
                isCaughtUp = true
            }
            guard let batch = try await events.nextBatch() else { break }
            messages.removeAll(keepingCapacity: true)
            do {
                for e in batch {
                    if !isCaughtUp, next >= historyEnd {
                        messages.append(caughtUp())
                        isCaughtUp = true
                    }
                    next = position(e) + 1
                    try step(e, &messages)
                }
            } catch {
                try await out.write(messages)
                throw error
            }
            try await out.write(messages)
        }
        try Task.checkCancellation()
        throw ESDBError.unavailable("the event store closed").rpcError(operation: "Read")
    }
}
