import ArgumentParser
import Foundation
import WharfCore
import WharfEngine
import WharfStorage

/// `--data DIR`: where the engine keeps its files.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Data directory (default: $WHARF_DATA, else $XDG_DATA_HOME/wharf).", valueName: "dir"))
    var data: String?

    var directory: String {
        if let data { return data }
        let env = ProcessInfo.processInfo.environment
        if let d = env["WHARF_DATA"], !d.isEmpty { return d }
        if let x = env["XDG_DATA_HOME"], !x.isEmpty { return x + "/wharf" }
        return (env["HOME"] ?? ".") + "/.local/share/wharf"
    }
}

/// `--fsync`: the durability policy for writes made by this command.
struct FsyncOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("""
        When writes reach the disk: 'always' (fdatasync before a write is acknowledged; survives \
        a crash or power loss), 'interval:<ms>' (at most <ms> of acknowledged writes can be lost), \
        'never' (left to the OS; flushed on close).
        """, valueName: "policy"))
    var fsync: String = "interval:1000"

    func policy() throws -> FsyncPolicy {
        do { return try FsyncPolicy(parsing: fsync) } catch { throw ValidationError(error.description) }
    }
}

struct JSONOption: ParsableArguments {
    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false
}

/// Opens the engine for one command and always closes it (`DataDirectorySession`).
enum EngineSession {
    static func with<T>(_ data: DataOptions, fsync: FsyncPolicy = .interval(milliseconds: 1000),
                        _ body: (Engine) async throws -> T) async throws -> T {
        try await DataDirectorySession.engine(data.directory, fsync: fsync, body)
    }
}

/// `topic` or `topic:0,2` as the reset and consume commands take it.
struct TopicPartitionsArgument {
    var topic: String
    var partitions: [Int32]?

    init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        topic = String(parts[0])
        guard !topic.isEmpty else { throw ValidationError("--topic needs a topic name, as TOPIC or TOPIC:P,P") }
        if parts.count == 2 {
            var list: [Int32] = []
            for p in parts[1].split(separator: ",") {
                guard let n = Int32(p.trimmingCharacters(in: .whitespaces)), n >= 0 else {
                    throw ValidationError("'\(p)' is not a partition number in --topic \(text)")
                }
                list.append(n)
            }
            guard !list.isEmpty else { throw ValidationError("--topic \(text) lists no partitions after ':'") }
            partitions = list
        }
    }
}
