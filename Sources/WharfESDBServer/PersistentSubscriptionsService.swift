import Foundation
import GRPCCore
import Logging
import WharfCore
import WharfESDBProtocol
import WharfEvents

/// `event_store.client.persistent_subscriptions.PersistentSubscriptions` on the event store's
/// persistent subscription groups: Create, Update, Delete, GetInfo, List, ReplayParked,
/// RestartSubsystem here; Read (the consumers' bidi call) in `+Read`. Settings and start points
/// are mapped by `PersistentSettingsWire`; refusals have KurrentDB's shapes
/// (`PersistentSubscriptionError`). Groups on a stream or on `$all` (with its event-type or
/// stream-name filter).
struct PersistentSubscriptionsService: EventStore_Client_PersistentSubscriptions_PersistentSubscriptions.SimpleServiceProtocol {
    typealias Wire = PersistentSettingsWire
    let store: EventStore
    let logger: Logger

    func create(request: EventStore_Client_PersistentSubscriptions_CreateReq,
                context: ServerContext) async throws -> EventStore_Client_PersistentSubscriptions_CreateResp {
        let options = request.options
        let source: EventSource, start: StartPoint, filter: EventFilter?
        switch options.streamOption {
        case .all(let all):
            (source, start, filter) = (.all, Wire.allStart(all.allOption), Wire.filter(all.filterOption))
        case .stream(let stream):
            (source, start, filter) = (.stream(try Self.streamName(stream.streamIdentifier)), Wire.streamStart(stream.revisionOption), nil)
        case nil:
            // Clients before 21.10 name the stream outside the oneof (and start at settings.revision).
            (source, start, filter) = (.stream(try Self.streamName(options.streamIdentifier)), Wire.streamStart(revision: options.settings.revision), nil)
        }
        let settings = try Self.settings(options.settings, start: start, filter: filter, group: options.groupName, source: source)
        try call(options.groupName, source) { () throws(WharfError) in
            try store.createPersistentSubscription(options.groupName, on: source, settings: settings)
        }
        logger.info("persistent subscription created over gRPC", metadata: ["group": "\(options.groupName)", "source": "\(source)"])
        return EventStore_Client_PersistentSubscriptions_CreateResp()
    }

    /// Replaces the settings (the checkpoint stays: a new start point only shows in GetInfo, as
    /// the engine starts groups once); a `$all` group keeps its filter, which Update cannot carry.
    func update(request: EventStore_Client_PersistentSubscriptions_UpdateReq,
                context: ServerContext) async throws -> EventStore_Client_PersistentSubscriptions_UpdateResp {
        let options = request.options
        let source: EventSource, start: StartPoint
        switch options.streamOption {
        case .all(let all): (source, start) = (.all, Wire.allStart(all.allOption))
        case .stream(let stream): (source, start) = (.stream(try Self.streamName(stream.streamIdentifier)), Wire.streamStart(stream.revisionOption))
        case nil: (source, start) = (.stream(try Self.streamName(options.streamIdentifier)), Wire.streamStart(revision: options.settings.revision))
        }
        try call(options.groupName, source) { () throws(WharfError) in
            let current = try store.persistentSubscriptionStatus(options.groupName, on: source).info.settings
            let settings: PersistentSubscriptionSettings
            do throws(PersistentSubscriptionError.Reason) {
                settings = try Wire.settings(options.settings, startFrom: start, filter: current.filter)
            } catch {
                throw .invalidArgument(error.text)
            }
            try store.updatePersistentSubscription(options.groupName, on: source, settings: settings)
        }
        return EventStore_Client_PersistentSubscriptions_UpdateResp()
    }

    func delete(request: EventStore_Client_PersistentSubscriptions_DeleteReq,
                context: ServerContext) async throws -> EventStore_Client_PersistentSubscriptions_DeleteResp {
        let options = request.options
        let source = try Self.source(options.streamOption)
        try call(options.groupName, source) { () throws(WharfError) in try store.deletePersistentSubscription(options.groupName, on: source) }
        return EventStore_Client_PersistentSubscriptions_DeleteResp()
    }

    func getInfo(request: EventStore_Client_PersistentSubscriptions_GetInfoReq,
                 context: ServerContext) async throws -> EventStore_Client_PersistentSubscriptions_GetInfoResp {
        let options = request.options
        let source: EventSource = switch options.streamOption {
        case .all: .all
        case .streamIdentifier(let id): .stream(try Self.streamName(id))
        case nil: throw PersistentSubscriptionError.badRequest("GetInfo names no stream and not $all").rpcError
        }
        let status = try call(options.groupName, source) { () throws(WharfError) in
            try store.persistentSubscriptionStatus(options.groupName, on: source)
        }
        var response = EventStore_Client_PersistentSubscriptions_GetInfoResp()
        response.subscriptionInfo = Wire.info(status)
        return response
    }

    /// Every group, or those of one stream (or of `$all`); none is an empty list. As in
    /// EventStoreDB a listing shows what the caller may read: the groups of one stream need read
    /// access to it (else AccessDenied), and a listing of every group leaves out those on streams
    /// the caller may not read (an anonymous caller may list nothing).
    func list(request: EventStore_Client_PersistentSubscriptions_ListReq,
              context: ServerContext) async throws -> EventStore_Client_PersistentSubscriptions_ListResp {
        let only: EventSource?
        switch request.options.listOption {
        case .listForStream(let option):
            switch option.streamOption {
            case .all: only = .all
            case .stream(let id): only = .stream(try Self.streamName(id))
            case nil: only = nil
            }
        case .listAllSubscriptions, nil: only = nil
        }
        let access = ESDBAccess.current
        do throws(ESDBError) {
            if let only { try ESDBAccess.require(.read, on: only.description) } else if access.caller == .anonymous { throw .accessDenied }
        } catch {
            throw error.rpcError(operation: "Read")
        }
        var response = EventStore_Client_PersistentSubscriptions_ListResp()
        for group in store.listPersistentSubscriptions() where only == nil || group.source == only {
            guard access.allows(.read, on: group.source.description) else { continue }
            // A group deleted since the listing is left out.
            guard let status = try? store.persistentSubscriptionStatus(group.group, on: group.source) else { continue }
            response.subscriptions.append(Wire.info(status))
        }
        return response
    }

    /// Moves parked events back to delivery: all of them, or the next `stop_at`.
    func replayParked(request: EventStore_Client_PersistentSubscriptions_ReplayParkedReq,
                      context: ServerContext) async throws -> EventStore_Client_PersistentSubscriptions_ReplayParkedResp {
        let options = request.options
        let source = try Self.source(options.streamOption)
        let count: UInt64? = if case .stopAt(let n) = options.stopAtOption, n >= 0 { UInt64(n) } else { nil }
        try call(options.groupName, source) { () throws(WharfError) in
            _ = try store.replayParked(options.groupName, on: source, maxCount: count)
        }
        return EventStore_Client_PersistentSubscriptions_ReplayParkedResp()
    }

    /// Wharf's groups have no subsystem to restart: they run whenever the store is open. Still
    /// only an administrator may ask, as in EventStoreDB (it is an operation on the server).
    func restartSubsystem(request: EventStore_Client_Empty, context: ServerContext) async throws -> EventStore_Client_Empty {
        do throws(ESDBError) { try ESDBAccess.requireAdministrator(for: "RestartSubsystem") } catch { throw error.rpcError(operation: "RestartSubsystem") }
        return EventStore_Client_Empty()
    }

    // MARK: Helpers

    static func settings(_ wire: EventStore_Client_PersistentSubscriptions_CreateReq.Settings, start: StartPoint,
                         filter: EventFilter?, group: String, source: EventSource) throws(RPCError) -> PersistentSubscriptionSettings {
        do { return try Wire.settings(wire, startFrom: start, filter: filter) } catch {
            throw PersistentSubscriptionError.failed(group: group, stream: source.description, reason: error.text).rpcError
        }
    }

    static func streamName(_ id: EventStore_Client_StreamIdentifier) throws(RPCError) -> String {
        do { return try ESDBWire.streamName(id) } catch { throw error.rpcError(operation: "PersistentSubscription") }
    }

    /// The source a request's `stream_identifier | all` names.
    static func source<Option: PersistentStreamOption>(_ option: Option?) throws(RPCError) -> EventSource {
        switch option?.choice {
        case .all: .all
        case .stream(let id): .stream(try streamName(id))
        case nil: throw PersistentSubscriptionError.badRequest("the request names no stream and not $all").rpcError
        }
    }

    /// Runs an engine call for `group` on `source`, mapping its refusal.
    /// Every call on a group needs read access to its source (`ESDBAccess`).
    func call<T>(_ group: String, _ source: EventSource, _ body: () throws(WharfError) -> T) throws(RPCError) -> T {
        do throws(ESDBError) { try ESDBAccess.require(.read, on: source.description) } catch { throw error.rpcError(operation: "Read") }
        do { return try body() } catch {
            throw PersistentSubscriptionError(error, group: group, stream: source.description).rpcError
        }
    }
}

/// The `stream_identifier | all` oneof, which each request type declares again.
protocol PersistentStreamOption {
    var choice: PersistentStreamChoice { get }
}

enum PersistentStreamChoice {
    case all
    case stream(EventStore_Client_StreamIdentifier)
}

extension EventStore_Client_PersistentSubscriptions_DeleteReq.Options.OneOf_StreamOption: PersistentStreamOption {
    var choice: PersistentStreamChoice {
        switch self {
        case .all: .all
        case .streamIdentifier(let id): .stream(id)
        }
    }
}

extension EventStore_Client_PersistentSubscriptions_ReplayParkedReq.Options.OneOf_StreamOption: PersistentStreamOption {
    var choice: PersistentStreamChoice {
        switch self {
        case .all: .all
        case .streamIdentifier(let id): .stream(id)
        }
    }
}

extension EventStore_Client_PersistentSubscriptions_ReadReq.Options.OneOf_StreamOption: PersistentStreamOption {
    var choice: PersistentStreamChoice {
        switch self {
        case .all: .all
        case .streamIdentifier(let id): .stream(id)
        }
    }
}
