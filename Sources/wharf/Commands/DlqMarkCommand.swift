import ArgumentParser
import WharfEngine

extension DlqCommand {
    /// `wharf dlq mark TOPIC --original-topic ORIG`: declares a topic a dead-letter topic when its
    /// producers write no dead-letter headers (a plain `orders.dlq` written by hand-rolled code).
    struct Mark: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Declare a topic the dead-letter topic of another (for records without dead-letter headers).",
            discussion: """
                The topic then appears in 'wharf dlq list' and the dashboard's Dead letters view even \
                when its records carry no Spring, Kafka Connect or KIP-1191 headers, and 'wharf dlq \
                requeue' sends its records to the original topic (a record that names its own origin \
                in such headers still goes there). --clear undoes the declaration. The declaration lives in the \
                data directory: over --bootstrap (the Kafka protocol) only dead-letter headers are seen.
                """)
        @OptionGroup var data: DataOptions
        @OptionGroup var fsync: FsyncOptions
        @Argument(help: "The dead-letter topic.") var topic: String
        @Option(name: .customLong("original-topic"), help: "The topic its records came from.") var originalTopic: String?
        @Flag(help: "Remove the declaration.") var clear = false

        func validate() throws {
            guard (originalTopic != nil) != clear else { throw ValidationError("give --original-topic TOPIC, or --clear") }
        }

        func run() async throws {
            let policy = try fsync.policy()
            try await EngineSession.with(data, fsync: policy) { try $0.setDeadLetterFor(topic, original: originalTopic) }
            if let originalTopic {
                print("\(topic) is now the dead-letter topic of \(originalTopic)")
            } else {
                print("\(topic) is no longer declared a dead-letter topic")
            }
        }
    }
}
