import WharfAMQP
import WharfCore
import WharfEngine

/// The .NET SDK's properties-to-modify (reference §4.6): the `message-annotations` of a
/// `modified` outcome (abandon, defer), the extra keys of a `rejected` outcome's error info
/// (dead-letter), and the `properties-to-modify` map of a `$management` update-disposition.
extension ServiceBusMessageMapping {
    /// The changes a map carries (nil for null or an empty map), minus the keys in `excluding`.
    /// A key that is not a string or symbol, or a value an application property cannot hold, is
    /// an argument error, as the service answers.
    static func propertyChanges(_ v: AMQPValue, excluding: Set<String> = []) throws(WharfError) -> ApplicationPropertyChanges? {
        guard case .map(let pairs) = v else {
            if v.isNull { return nil }
            throw .invalidArgument("properties to modify must be a map")
        }
        var changes = ApplicationPropertyChanges()
        for pair in pairs {
            guard let name = pair.key.text else { throw .invalidArgument("a property to modify has a key that is not a string") }
            if excluding.contains(name) { continue }
            guard let value = stored(pair.value) else { throw .invalidArgument("the property '\(name)' has a type application properties cannot hold") }
            changes.values[name] = value.text
            changes.types[name] = value.type
        }
        return changes.isEmpty ? nil : changes
    }

    /// The dead-letter keys of a `rejected` outcome's info map, which are not properties to modify.
    static let deadLetterInfoKeys: Set<String> = ["DeadLetterReason", "DeadLetterErrorDescription"]
}
