import WharfCore

/// When appended data is forced to stable storage with `fdatasync`.
///
/// - `always`: `append` returns (and `PendingAppend.durable()` of a `write`) only after an
///   `fdatasync` that started after its write, so an acknowledged append survives `kill -9` and
///   power loss. One fdatasync covers every append waiting then (group commit).
/// - `interval(milliseconds:)`: data is fdatasync'd at most N ms (of the injected clock) after it
///   was appended, provided something checks: every `append` and every `flushIfDue()` does; roll
///   and close always sync.
/// - `never`: left to the OS page cache; fsync only on segment roll and close.
///
/// Text form (config files, CLI flags): `always`, `interval:<ms>` with ms > 0, `never`.
public enum FsyncPolicy: Sendable, Equatable, CustomStringConvertible {
    case always
    case interval(milliseconds: Int)
    case never

    public static let validForms = "'always', 'interval:<milliseconds>' (e.g. interval:100) or 'never'"

    public init(parsing text: String) throws(WharfError) {
        let trimmed = text.trimmingSpaces.lowercased()
        switch trimmed {
        case "always": self = .always
        case "never": self = .never
        default:
            let prefix = "interval:"
            guard trimmed.hasPrefix(prefix) else {
                throw .invalidArgument("invalid fsync policy '\(text)': expected \(Self.validForms)")
            }
            let number = trimmed.dropFirst(prefix.count)
            guard let ms = Int(number), ms > 0 else {
                throw .invalidArgument("invalid fsync interval '\(number)' in '\(text)': expected a positive number of milliseconds, as in \(Self.validForms)")
            }
            self = .interval(milliseconds: ms)
        }
    }

    public var description: String {
        switch self {
        case .always: "always"
        case .interval(let ms): "interval:\(ms)"
        case .never: "never"
        }
    }
}

extension String {
    var trimmingSpaces: Substring {
        var s = self[...]
        while let c = s.first, c == " " || c == "\t" || c == "\n" || c == "\r" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\n" || c == "\r" { s = s.dropLast() }
        return s
    }
}
