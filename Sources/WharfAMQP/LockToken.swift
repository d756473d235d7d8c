import Foundation

/// Service Bus lock tokens on the wire (reference §4.4): the delivery-tag carries the token's 16
/// bytes in .NET `Guid.ToByteArray()` order (the first three fields little-endian, Python's
/// `uuid.bytes_le`); `$management` bodies carry the same token as an AMQP uuid in RFC order.
public enum LockToken {
    public static func deliveryTag(_ token: UUID) -> [UInt8] {
        let u = token.uuid
        return [u.3, u.2, u.1, u.0, u.5, u.4, u.7, u.6, u.8, u.9, u.10, u.11, u.12, u.13, u.14, u.15]
    }

    /// `deliveryTag(UUID(uuidString: token))` without Foundation's parse (it goes through
    /// `sscanf`, a visible share of each delivery's cost): nil unless `token` is a UUID's
    /// canonical 8-4-4-4-12 hex form.
    public static func deliveryTag(canonical token: String) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: 16)
        var count = 0
        var high: UInt8?
        var position = 0
        for c in token.utf8 {
            defer { position += 1 }
            if position == 8 || position == 13 || position == 18 || position == 23 {
                guard c == UInt8(ascii: "-") else { return nil }
                continue
            }
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let h = high {
                guard count < 16 else { return nil }
                bytes[count] = h << 4 | digit
                count += 1
                high = nil
            } else {
                high = digit
            }
        }
        guard position == 36, count == 16 else { return nil }
        let u = bytes
        return [u[3], u[2], u[1], u[0], u[5], u[4], u[7], u[6], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]]
    }

    /// The token a delivery-tag carries (nil unless the tag has exactly 16 bytes).
    public static func uuid(deliveryTag b: [UInt8]) -> UUID? {
        guard b.count == 16 else { return nil }
        return UUID(uuid: (b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }
}
