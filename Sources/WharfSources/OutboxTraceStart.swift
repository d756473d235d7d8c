import WharfAdmin
import WharfOutbox

/// Where a trace starts when outboxes are known (`t` in the dashboard, `wharf trace --outbox`):
/// the row with the event's id in the first outbox that has it, looked up before the records
/// for an event-id query (so a row not published yet is found) and after them for a
/// `topic/partition/offset` query (by the `id` header the record carries).
public enum OutboxTraceStart {
    /// Runs `trace` (the source's trace, given the row found first) and completes its `outbox`.
    public static func trace(_ query: String, outboxes: [(name: String, store: any OutboxStore)],
                             _ trace: (OutboxRowState?) async throws -> EventTrace) async throws -> EventTrace {
        var first: OutboxRowState?
        if case .id(let id) = EventTraceBuilder.Query(parsing: query) { first = await row(eventId: id, in: outboxes) }
        var result = try await trace(first)
        if result.outbox == nil, let id = result.eventId { result.outbox = await row(eventId: id, in: outboxes) }
        return result
    }

    /// One indexed lookup per outbox; an outbox that cannot be read is skipped.
    static func row(eventId id: String, in outboxes: [(name: String, store: any OutboxStore)]) async -> OutboxRowState? {
        for o in outboxes {
            if let row = try? await o.store.row(id: id) { return row.named(o.name) }
        }
        return nil
    }
}

extension OutboxTraceStart {
    /// The outboxes a trace may start in, each checked for its table and named as the dashboard
    /// names it; nothing is left open on an error.
    public static func open(_ urls: [OutboxDatabaseURL]) async throws -> [(name: String, store: any OutboxStore)] {
        var stores: [(name: String, store: any OutboxStore)] = []
        for url in urls {
            do {
                let store = try await OutboxStores.open(url)
                stores.append((DashboardOutboxes.shortName(url), store))
                try await store.checkTable()
            } catch {
                await close(stores)
                throw error
            }
        }
        return stores
    }

    public static func close(_ stores: [(name: String, store: any OutboxStore)]) async {
        for s in stores { try? await s.store.close() }
    }

    /// `body` with the outboxes at `urls` open (`open`), always closed afterwards.
    public static func with<T>(_ urls: [OutboxDatabaseURL], _ body: ([(name: String, store: any OutboxStore)]) async throws -> T) async throws -> T {
        let stores = try await open(urls)
        do {
            let result = try await body(stores)
            await close(stores)
            return result
        } catch {
            await close(stores)
            throw error
        }
    }
}
