import Foundation
import WharfCore
import WharfEngine

/// A Service Bus emulator Config.json (`wharf servicebus import`, `wharf serve
/// --servicebus-config`): read, then applied to the queue store, its warnings on stderr and
/// each change on stdout.
public enum EmulatorConfigFile {
    /// Reads and parses the file (a malformed one is one `.invalidArgument` line).
    public static func load(_ path: String) throws(WharfError) -> ServiceBusEmulatorConfig {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .invalidArgument("cannot read \(path): \(error.localizedDescription)")
        }
        return try ServiceBusEmulatorConfig(json: data)
    }

    /// Imports, printing each change and warning each unknown key (on stderr).
    public static func apply(_ config: ServiceBusEmulatorConfig, to queues: QueueStore) throws(WharfError) -> [String] {
        for w in config.warnings { FileHandle.standardError.write(Data("wharf: Config.json: \(w)\n".utf8)) }
        let done = try queues.importEmulatorConfig(config)
        for line in done { print(line) }
        return done
    }
}
