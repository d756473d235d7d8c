import Foundation
import WharfCore

/// Service Bus lock tokens on the wire (reference §4.4): the delivery-tag carries the token's 16
/// bytes in .NET `Guid.ToByteArray()` order (the first three fields little-endian, Python's
/// `uuid.bytes_le`); `$management` bodies carry the same token as an AMQP uuid in RFC order.
public enum LockToken {
    public static func deliveryTag(_ token: UUID) -> [UInt8] {
        let u = token.uuid
        return [u.3, u.2, u.1, u.0, u.5, u.4, u.7, u.6, u.8, u.9, u.10, u.11, u.12, u.13, u.14, u.15]
    }

    /// `deliveryTag(UUID(uuidString: token))` through `UUIDText.parse` (Foundation's parse goes
    /// through `sscanf`, a visible share of each delivery's cost): nil unless `token` is a UUID's
    /// canonical 8-4-4-4-12 hex form.
    public static func deliveryTag(canonical token: String) -> [UInt8]? {
        UUIDText.parse(token).map(deliveryTag)
    }

    /// The token a delivery-tag carries (nil unless the tag has exactly 16 bytes).
    public static func uuid(deliveryTag b: [UInt8]) -> UUID? {
        guard b.count == 16 else { return nil }
        return UUID(uuid: (b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }
}
