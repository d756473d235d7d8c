import Foundation
import Logging

/// Logs go to stderr (stdout carries data). Level from $WHARF_LOG_LEVEL, default warning, so
/// recovery actions after an unclean stop are shown but routine events are not. Client-chosen
/// text in log lines is made printable (`PrintableLogHandler`).
public enum LoggingBootstrap {
    public static func run() {
        let level = ProcessInfo.processInfo.environment["WHARF_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return PrintableLogHandler(handler)
        }
    }
}
