import WharfCore

/// Stream naming rules.
///
/// - A stream name is 1...1024 UTF-8 bytes without control characters. Names starting with `$`
///   are system streams; applications cannot append to them (parked streams are the only ones
///   Wharf writes). `$all` names the global log, not a stream.
/// - Category (EventStoreDB's `$by_category` rule with its default separator): the part before
///   the first `-`; a name without `-` is its own category. `order-123` and `order-123-x` belong
///   to `order`.
public enum StreamName {
    public static let all = "$all"
    public static let linkEventType = "$>"
    public static let parkedEventType = StreamName.linkEventType

    public static func category(of stream: String) -> String {
        guard let dash = stream.firstIndex(of: "-") else { return stream }
        return String(stream[..<dash])
    }

    public static func isSystem(_ stream: String) -> Bool { stream.hasPrefix("$") }

    /// `$persistentsubscription-<stream>::<group>-parked`, EventStoreDB's name for the stream of a
    /// group's parked events (links to the originals).
    public static func parked(source: EventSource, group: String) -> String {
        "$persistentsubscription-\(source)::\(group)-parked"
    }

    static func validate(_ stream: String, allowSystem: Bool) throws(WharfError) {
        let bytes = stream.utf8.count
        guard bytes > 0, bytes <= 1024 else { throw .invalidName("stream name must have 1 to 1024 bytes, got \(bytes)") }
        guard stream != all else { throw .invalidName("'$all' is the global log, not a stream") }
        guard !stream.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
            throw .invalidName("stream name '\(stream)' contains a control character")
        }
        if !allowSystem && isSystem(stream) {
            throw .invalidName("stream names starting with '$' are reserved for system streams: '\(stream)'")
        }
    }

    static func validateEventType(_ type: String) throws(WharfError) {
        guard !type.isEmpty, type.utf8.count <= 256 else { throw .invalidArgument("event type must have 1 to 256 bytes") }
    }
}
