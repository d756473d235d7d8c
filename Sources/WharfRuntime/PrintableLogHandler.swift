import Logging
import WharfDashboard

/// Log lines carry text clients chose: group ids, member and client ids, topic names, the
/// reasons in errors. Every message and metadata value goes through the terminal rule
/// (`PrintableText`) before it is written, so a client can neither put escape sequences on
/// the operator's terminal (stderr, or `wharf.log` read with `cat`/`tail -f`) nor forge a log
/// line with a newline. Keys are Wharf's own constants and pass unchanged.
public struct PrintableLogHandler: LogHandler {
    private var inner: StreamLogHandler

    public init(_ inner: StreamLogHandler) { self.inner = inner }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue.mapValues(Self.printable) }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue.map(Self.printable) }
    }

    public func log(event: LogEvent) {
        var printable = event
        printable.message = "\(PrintableText.sanitized(event.message.description))"
        printable.metadata = event.metadata?.mapValues(Self.printable)
        inner.log(event: printable)
    }

    public static func printable(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let s): .string(PrintableText.sanitized(s))
        case .stringConvertible(let c): .string(PrintableText.sanitized(c.description))
        case .dictionary(let d): .dictionary(d.mapValues(printable))
        case .array(let a): .array(a.map(printable))
        }
    }
}
