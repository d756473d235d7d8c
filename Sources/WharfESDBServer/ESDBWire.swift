import Foundation
import SwiftProtobuf
import WharfCore
import WharfESDBProtocol
import WharfEvents

/// Conversions between the protocol's messages and the event store's values, one rule each.
enum ESDBWire {
    /// `$all` position on the wire: Wharf position + 1, for commit and prepare alike. The clients
    /// use 0 as "nothing / the start" (an empty `get_commit_position`, `subscribe_to_all(0)` is
    /// exclusive of 0), so no event may be at 0; Wharf's positions are dense from 0 and never
    /// renumbered, so this mapping is stable too.
    static func commitPosition(_ position: UInt64) -> UInt64 { position &+ 1 }

    /// The Wharf position a wire position names (0 and 1 both name the first event).
    static func storePosition(_ commit: UInt64) -> UInt64 { commit == 0 ? 0 : commit - 1 }

    /// 100 ns ticks since the Unix epoch, as the clients expect `created` (they divide by 1e7).
    static func ticks(millis: Int64) -> Int64 { millis.multipliedReportingOverflow(by: 10_000).partialValue }

    static func uuid(_ wire: EventStore_Client_UUID) -> UUID? {
        switch wire.value {
        case .string(let text): return UUIDText.parse(text)
        case .structured(let s):
            // Java's UUID halves, big-endian: most significant bits are bytes 0-7.
            let hi = UInt64(bitPattern: s.mostSignificantBits), lo = UInt64(bitPattern: s.leastSignificantBits)
            var bytes = [UInt8](repeating: 0, count: 16)
            for i in 0..<8 {
                bytes[i] = UInt8(truncatingIfNeeded: hi >> (56 - 8 * UInt64(i)))
                bytes[8 + i] = UInt8(truncatingIfNeeded: lo >> (56 - 8 * UInt64(i)))
            }
            return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                               bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
        case nil: return nil
        }
    }

    static func uuid(_ id: UUID, structured: Bool) -> EventStore_Client_UUID {
        var wire = EventStore_Client_UUID()
        if structured {
            let (most, least) = halves(id)
            var s = EventStore_Client_UUID.Structured()
            s.mostSignificantBits = most
            s.leastSignificantBits = least
            wire.structured = s
        } else {
            wire.string = UUIDText.lowercase(id)
        }
        return wire
    }

    /// Java's UUID halves (`Structured`): bytes 0-7 and 8-15, big-endian.
    static func halves(_ id: UUID) -> (most: Int64, least: Int64) {
        withUnsafeBytes(of: id.uuid) { b in
            var hi: UInt64 = 0, lo: UInt64 = 0
            for i in 0..<8 {
                hi = hi << 8 | UInt64(b[i])
                lo = lo << 8 | UInt64(b[8 + i])
            }
            return (Int64(bitPattern: hi), Int64(bitPattern: lo))
        }
    }

    static func streamIdentifier(_ name: String) -> EventStore_Client_StreamIdentifier {
        var id = EventStore_Client_StreamIdentifier()
        id.streamName = Data(name.utf8)
        return id
    }

    /// The stream a request names; invalid UTF-8 or an empty name is a bad request.
    static func streamName(_ id: EventStore_Client_StreamIdentifier) throws(ESDBError) -> String {
        guard !id.streamName.isEmpty, let name = String(data: id.streamName, encoding: .utf8) else {
            throw .badRequest("a stream name must be 1 or more bytes of UTF-8")
        }
        return name
    }

    static let jsonContentType = "application/json"
    static let binaryContentType = "application/octet-stream"

    /// A proposed event: `type` and `content-type` are required metadata keys (the server refuses
    /// an event without them, as KurrentDB does).
    static func eventData(id wireId: EventStore_Client_UUID, metadata: [String: String], customMetadata: Data,
                          data: Data) throws(ESDBError) -> EventData {
        guard let id = uuid(wireId) else { throw .badRequest("an event id must be a UUID") }
        guard let type = metadata["type"], !type.isEmpty, let contentType = metadata["content-type"] else {
            throw .missingRequiredMetadata
        }
        guard type.utf8.count <= 256 else { throw .badRequest("an event type must have at most 256 bytes") }
        return EventData(id: id, type: type, data: [UInt8](data), metadata: [UInt8](customMetadata), contentType: contentType)
    }

    static func timestamp(millis: Int64) -> Google_Protobuf_Timestamp {
        Google_Protobuf_Timestamp(seconds: millis / 1000, nanos: Int32((millis % 1000) * 1_000_000))
    }
}
