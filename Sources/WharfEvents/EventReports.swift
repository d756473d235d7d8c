import Foundation
import WharfAdmin
import WharfCore

// What `wharf events` and `wharf subscription` print with --json: named types, a contract
// scripts rely on (keys sorted by the printer, so field order here does not matter).

/// One recorded event (`wharf events read --json`, one object a line).
public struct RecordedEventReport: Encodable, Sendable, Equatable {
    public let stream: String
    public let revision: UInt64
    public let position: UInt64
    public let id: String
    public let type: String
    public let timestamp: String
    public let data: JSONBytes
    public let metadata: JSONBytes

    public init(_ e: RecordedEvent) {
        stream = e.stream
        revision = e.revision
        position = e.position
        id = e.id.uuidString.lowercased()
        type = e.type
        timestamp = TimeParsing.iso(e.timestamp)
        data = JSONBytes(bytes: e.data)
        metadata = JSONBytes(bytes: e.metadata.isEmpty ? nil : e.metadata)
    }
}

/// One append (`wharf events append --json`).
public struct AppendReport: Encodable, Sendable, Equatable {
    public let stream: String
    public let events: Int
    public let nextExpectedVersion: UInt64
    public let position: UInt64
    public let deduplicated: Bool

    public init(stream: String, events: Int, _ result: WriteResult) {
        self.stream = stream
        self.events = events
        nextExpectedVersion = result.nextExpectedVersion
        position = result.position
        deduplicated = result.deduplicated
    }
}

/// One stream (`wharf events streams --json`).
public struct StreamReport: Encodable, Sendable, Equatable {
    public let stream: String
    public let category: String
    public let events: UInt64

    public init(_ s: StreamInfo) {
        stream = s.name
        category = s.category
        events = s.eventCount
    }
}

/// One persistent subscription (`wharf subscription list|describe --json`).
public struct SubscriptionReport: Encodable, Sendable, Equatable {
    public let name: String
    public let source: String
    public let state: String
    public let checkpoint: UInt64?
    public let lagEvents: UInt64
    public let lagSeconds: Double
    public let parked: UInt64
    public let inFlight: Int

    public init(_ s: SubscriptionSnapshot) {
        name = s.name
        source = s.source.description
        state = "\(s.state)"
        checkpoint = s.checkpoint
        lagEvents = s.lagEvents
        lagSeconds = s.lagSeconds
        parked = s.parkedCount
        inFlight = s.inFlightCount
    }
}
