/// A `--command-config` file, or a file it names, that cannot be used: one line naming the
/// file (and the line or key) and what is wrong with it.
public struct ClientConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
