import ArgumentParser
import Foundation
import WharfCore
import WharfEngine

/// `wharf servicebus import Config.json` (and `serve --servicebus-config`): the Service Bus
/// emulator's configuration file, applied to the data directory's queue store.
extension ServiceBusCommand {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the queues, topics, subscriptions and rules of a Service Bus emulator Config.json (what exists is kept).")
        @OptionGroup var data: DataOptions
        @Argument(help: "The emulator's Config.json.") var file: String

        func run() async throws {
            let config = try EmulatorConfigFile.load(file)
            let done = try await QueueSession.with(data) { try EmulatorConfigFile.apply(config, to: $0) }
            print(done.isEmpty ? "nothing to create: everything in \(file) exists" : "\(file): \(done.count) change(s)")
        }
    }
}
