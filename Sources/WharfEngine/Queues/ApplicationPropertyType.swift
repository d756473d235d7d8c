/// The wire type an application property was sent with, beside its canonical text (the engine
/// stores every value as text): a message goes back out with each property in the type it came
/// in with, and SQL filters compare numbers as numbers (Service Bus's typing rules). A property
/// without a type is a string, which is also what every message stored before types existed has.
///
/// The canonical text of each type: decimal for the integers and `timestamp` (milliseconds since
/// the Unix epoch), Swift's shortest round-tripping form for `float`/`double`, `true`/`false`,
/// the lower-case canonical form of a `uuid`, lower-case hex for `binary`, the character itself
/// for `char`, and the empty string for `null`.
public enum ApplicationPropertyType: String, Sendable, Equatable, CaseIterable, Codable {
    case null, bool, byte, short, int, long, ubyte, ushort, uint, ulong, float, double, char, timestamp, uuid, binary

    /// Types a SQL filter compares as numbers.
    public var isNumeric: Bool {
        switch self {
        case .byte, .short, .int, .long, .ubyte, .ushort, .uint, .ulong, .float, .double: true
        default: false
        }
    }
}
