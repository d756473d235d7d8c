import Foundation
import GRPCCore
import SwiftProtobuf
import WharfCore
import WharfESDBProtocol
import WharfEvents

/// Read with a count: a page of a stream, of `$all` or of a `$ce-`/`$et-` link stream, streamed to the
/// client in chunks (a count may be "everything"). Start positions follow EventStoreDB: a stream
/// revision is inclusive both ways; a `$all` position is inclusive forwards, exclusive backwards.
extension StreamsService {
    typealias ReadReq = EventStore_Client_Streams_ReadReq
    typealias ReadResp = EventStore_Client_Streams_ReadResp
    static let chunk = 512

    /// The generated route's entry (`StreamsRoutes` serves Read through the one below).
    func read(request: ReadReq, response: RPCWriter<ReadResp>, context: ServerContext) async throws {
        try await read(request: request, to: RPCWriter(wrapping: ReadRespWriter(base: response)), context: context)
    }

    func read(request: ReadReq, to response: RPCWriter<ReadMessage>, context: ServerContext) async throws {
        let options = request.options
        let structured = if case .structured = options.uuidOption.content { true } else { false }
        let filter = try wire { () throws(ESDBError) in try ReadFilter(options.filter) }
        try wire { () throws(ESDBError) in try ESDBAccess.require(.read, on: Self.readTarget(options)) }
        let out = ReadOutput(writer: response, structured: structured, resolveLinks: options.resolveLinks, store: store)
        let forwards = options.readDirection != .backwards
        switch options.countOption {
        case .subscription:
            try await subscribe(options, filter: filter, out: out)
        case .count(let n):
            try await readPage(options, count: n, forwards: forwards, filter: filter, out: out)
        case nil:
            try await readPage(options, count: .max, forwards: forwards, filter: filter, out: out)
        }
    }

    private func readPage(_ options: ReadReq.Options, count: UInt64, forwards: Bool, filter: ReadFilter?, out: ReadOutput) async throws {
        guard count > 0 else { return }
        switch options.streamOption {
        case .all(let all):
            try await readAll(all, count: count, forwards: forwards, filter: filter, out: out)
        case .stream(let s):
            let name = try wire { () throws(ESDBError) in try ESDBWire.streamName(s.streamIdentifier) }
            let from: UInt64? = if case .revision(let r) = s.revisionOption { r } else if case .end = s.revisionOption, forwards { .max } else { nil }
            if let link = LinkStream(name: name) {
                try await readLinks(link, from: from, count: count, forwards: forwards, out: out)
            } else {
                try await readStream(name, from: from, count: count, forwards: forwards, out: out)
            }
        case nil:
            throw ESDBError.badRequest("a read names a stream or $all").rpcError(operation: "Read")
        }
    }

    private func readStream(_ name: String, from: UInt64?, count: UInt64, forwards: Bool, out: ReadOutput) async throws {
        let status = try storeCall { () throws(WharfError) in try streams.status(of: name) }
        guard !status.tombstoned else { throw ESDBError.streamDeleted(name).rpcError(operation: "Read") }
        guard let last = status.last, status.current != nil else {
            try await out.notFound(name)
            return
        }
        var remaining = count
        let first = status.firstVisible
        if forwards {
            var next = max(from ?? 0, first)
            while remaining > 0, next <= last {
                let n = Int(min(remaining, UInt64(Self.chunk)))
                let events = try storeCall { () throws(WharfError) in try store.readStream(name, from: next, maxCount: n) }
                guard let end = events.last else { break }
                try await out.events(events)
                remaining -= UInt64(events.count)
                next = end.revision + 1
            }
        } else {
            var high = min(from ?? last, last)
            while remaining > 0, high >= first {
                let n = Int(min(remaining, UInt64(Self.chunk), high - first + 1))
                let events = try storeCall { () throws(WharfError) in try store.readStream(name, from: high, direction: .backwards, maxCount: n) }
                try await out.events(events)
                remaining -= UInt64(events.count)
                guard events.count == n, high >= first + UInt64(n) else { break }
                high -= UInt64(n)
            }
        }
    }

    private func readAll(_ all: ReadReq.Options.AllOptions, count: UInt64, forwards: Bool, filter: ReadFilter?, out: ReadOutput) async throws {
        var remaining = count
        let end = store.endPosition
        if forwards {
            var next: UInt64 = switch all.allOption {
            case .position(let p): ESDBWire.storePosition(p.commitPosition)
            case .end: end
            case .start, nil: 0
            }
            while remaining > 0, next < end {
                let events = try storeCall { () throws(WharfError) in try store.readAll(from: next, maxCount: Self.chunk, includeSystem: true) }
                guard let lastRead = events.last else { break }
                var page: [RecordedEvent] = []
                for e in events where remaining > 0 && e.position < end && filter?.matches(e) ?? true {
                    page.append(e)
                    remaining -= 1
                }
                try await out.events(page)
                next = lastRead.position + 1
            }
        } else {
            // Exclusive: the event at the given position is not part of a backwards read.
            var high: UInt64 = switch all.allOption {
            case .position(let p): min(ESDBWire.storePosition(p.commitPosition), end)
            case .start: 0
            case .end, nil: end
            }
            while remaining > 0, high > 0 {
                let low = high > UInt64(Self.chunk) ? high - UInt64(Self.chunk) : 0
                let events = try storeCall { () throws(WharfError) in try store.readAll(from: low, maxCount: Int(high - low), includeSystem: true) }
                var page: [RecordedEvent] = []
                for e in events.reversed() where remaining > 0 && filter?.matches(e) ?? true {
                    page.append(e)
                    remaining -= 1
                }
                try await out.events(page)
                high = low
            }
        }
    }

    /// `$ce-<category>` / `$et-<type>`: a link stream over the events it covers in `$all` order
    /// (revision = index in that sequence), served from Wharf's index rather than stored.
    private func readLinks(_ link: LinkStream, from: UInt64?, count: UInt64, forwards: Bool, out: ReadOutput) async throws {
        let size = store.linkCount(link)
        guard size > 0 else {
            try await out.notFound(link.name)
            return
        }
        var remaining = count
        if forwards {
            var next = from ?? 0
            while remaining > 0, next < size {
                let n = Int(min(remaining, UInt64(Self.chunk)))
                let events = try storeCall { () throws(WharfError) in try store.readLinkTargets(link, from: next, maxCount: n) }
                guard !events.isEmpty else { break }
                try await out.write(events.enumerated().map { i, e in out.message(linkTo: e, of: link, revision: next + UInt64(i)) })
                remaining -= UInt64(events.count)
                next += UInt64(events.count)
            }
        } else {
            var high = min(from ?? size - 1, size - 1)
            while remaining > 0 {
                let n = min(remaining, UInt64(Self.chunk), high + 1)
                let low = high + 1 - n
                let events = try storeCall { () throws(WharfError) in try store.readLinkTargets(link, from: low, maxCount: Int(n)) }
                try await out.write(events.enumerated().reversed().map { i, e in out.message(linkTo: e, of: link, revision: low + UInt64(i)) })
                remaining -= UInt64(events.count)
                guard low > 0, events.count == Int(n) else { break }
                high = low - 1
            }
        }
    }

    /// A store call whose failure is the server's (closed, disk): UNAVAILABLE.
    func storeCall<T>(_ body: () throws(WharfError) -> T) throws(RPCError) -> T {
        do { return try body() } catch {
            throw ESDBError.unavailable("\(error)").rpcError(operation: "Read")
        }
    }
}

/// Writes read results in the shape and UUID form the client asked for.
struct ReadOutput: Sendable {
    let writer: RPCWriter<ReadMessage>
    let structured: Bool
    let resolveLinks: Bool
    let store: EventStore

    func notFound(_ stream: String) async throws {
        var message = EventStore_Client_Streams_ReadResp()
        message.streamNotFound.streamIdentifier = ESDBWire.streamIdentifier(stream)
        try await writer.write(.message(message))
    }

    /// A page of stored events in one write: the transport frames them together rather than
    /// one flush per event.
    func events(_ page: [RecordedEvent]) async throws {
        try await write(page.map(message))
    }

    /// Messages in one write (none: no write).
    func write(_ messages: [ReadMessage]) async throws {
        guard !messages.isEmpty else { return }
        try await writer.write(contentsOf: messages)
    }

    /// A stored event; a link (`$>`) is resolved to its target when asked (the link stays in `link`).
    func message(_ e: RecordedEvent) -> ReadMessage {
        if resolveLinks, let target = e.linkTarget,
           let resolved = try? store.readStream(target.stream, from: target.revision, maxCount: 1).first, resolved.revision == target.revision {
            return .event(ReadEventWire(resolved, link: e, structured: structured))
        }
        return .event(ReadEventWire(e, link: nil, structured: structured))
    }

    /// A virtual `$ce-`/`$et-` link to `target` at `revision` of `stream`.
    func message(linkTo target: RecordedEvent, of stream: LinkStream, revision: UInt64) -> ReadMessage {
        let link = stream.link(to: target, revision: revision)
        return .event(resolveLinks ? ReadEventWire(target, link: link, structured: structured) : ReadEventWire(link, link: nil, structured: structured))
    }

    /// An event as the clients read it (persistent subscriptions send the same fields).
    /// The fields' rules are `RecordedFields`' (which Read writes as bytes directly).
    static func recorded(_ e: RecordedEvent, structured: Bool) -> EventStore_Client_Streams_ReadResp.ReadEvent.RecordedEvent {
        let fields = RecordedFields(e, structured: structured)
        var r = EventStore_Client_Streams_ReadResp.ReadEvent.RecordedEvent()
        r.id = ESDBWire.uuid(e.id, structured: structured)
        r.streamIdentifier = ESDBWire.streamIdentifier(e.stream)
        r.streamRevision = fields.revision
        r.commitPosition = fields.commitPosition
        r.preparePosition = fields.commitPosition
        r.metadata = ["type": e.type, "content-type": fields.contentType, "created": String(fields.created)]
        r.customMetadata = Data(e.metadata)
        r.data = Data(e.data)
        return r
    }

    /// Events appended without a declared content type (Wharf's own API): JSON when they look it.
    static func guessContentType(_ data: [UInt8]) -> String {
        let first = data.first { $0 != 0x20 && $0 != 0x0a && $0 != 0x0d && $0 != 0x09 }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[") ? ESDBWire.jsonContentType : ESDBWire.binaryContentType
    }
}
