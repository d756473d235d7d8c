import Foundation

/// A value for JSON output that keeps bytes exact: a string when UTF-8, else base64 with a
/// marker (`{"base64": ...}`). The `--json` reports (here, in the engine, the event store)
/// encode bodies with it.
public struct JSONBytes: Encodable, Sendable, Equatable {
    public let bytes: [UInt8]?

    public init(bytes: [UInt8]?) { self.bytes = bytes }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        guard let bytes else { return try c.encodeNil() }
        if let s = String(validating: bytes, as: UTF8.self) { try c.encode(s) } else {
            try c.encode(["base64": Data(bytes).base64EncodedString()])
        }
    }

    /// Text for a key or value: UTF-8 as is; other bytes marked `base64:` so nothing is silently
    /// mangled; no bytes at all is the empty string.
    public static func text(_ bytes: [UInt8]?) -> String {
        guard let bytes else { return "" }
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        return "base64:" + Data(bytes).base64EncodedString()
    }
}
