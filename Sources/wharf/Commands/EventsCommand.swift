import ArgumentParser
import Foundation
import WharfCore
import WharfEngine
import WharfEvents

/// Opens the engine and its event store for one command, closing both afterwards.
enum EventSession {
    static func with<T>(_ data: DataOptions, fsync: FsyncOptions? = nil, _ body: (EventStore) async throws -> T) async throws -> T {
        try await DataDirectorySession.events(data.directory, fsync: try fsync?.policy() ?? .interval(milliseconds: 1000), body)
    }
}

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Event streams: append with an expected version, read, list.",
        subcommands: [Append.self, Read.self, Streams.self])

    struct Append: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append events to a stream: each stdin line is one event's data, all in one atomic append.",
            discussion: "--expected-version N|any|no-stream|stream-exists makes the append fail with WrongExpectedVersion when the stream moved on.")
        @OptionGroup var data: DataOptions
        @OptionGroup var fsync: FsyncOptions
        @OptionGroup var output: JSONOption
        @Argument var stream: String
        @Option(help: "Event type.") var type: String
        @Option(name: .customLong("expected-version")) var expectedVersion = "any"
        @Option(help: "Event id (only with a single event; retrying with the same id does not append twice).") var id: String?

        func run() async throws {
            let expected: ExpectedVersion
            do { expected = try ExpectedVersion(parsing: expectedVersion) } catch { throw ValidationError("\(error)") }
            var lines: [[UInt8]] = []
            var reader = LineReader(fd: 0)
            while let l = reader.next() { if !l.isEmpty { lines.append(l) } }
            guard !lines.isEmpty else { throw ValidationError("no event data on stdin (one event per line)") }
            let eventId: UUID? = try id.map {
                guard let u = UUID(uuidString: $0) else { throw ValidationError("--id must be a UUID") }
                guard lines.count == 1 else { throw ValidationError("--id applies to a single event") }
                return u
            }
            let result = try await EventSession.with(data, fsync: fsync) { store in
                try store.append(stream: stream, events: lines.map { EventData(id: eventId ?? UUID(), type: type, data: $0) }, expected: expected)
            }
            let r = AppendReport(stream: stream, events: lines.count, result)
            if output.json { return try Output.json(r) }
            print(result.deduplicated ? "already appended (same event id): stream \(stream) is at revision \(result.nextExpectedVersion)"
                  : "appended \(Output.count(lines.count, "event")) to \(stream); now at revision \(result.nextExpectedVersion)")
        }
    }

    struct Read: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Read a stream (or $all) forwards or backwards.")
        @OptionGroup var data: DataOptions
        @OptionGroup var output: JSONOption
        @Argument(help: "A stream name, or $all for every event in global order.") var stream: String
        @Option(help: "First revision (or $all position) to read.") var from: UInt64?
        @Flag var backwards = false
        @Option var max = 100

        func run() async throws {
            let events = try await EventSession.with(data) { store in
                stream == "$all" ? try store.readAll(from: from ?? 0, maxCount: max, includeSystem: false)
                    : try store.readStream(stream, from: from, direction: backwards ? .backwards : .forwards, maxCount: max)
            }
            if output.json { return try events.forEach { try Output.json(RecordedEventReport($0)) } }
            if events.isEmpty { return print("no events") }
            Output.table(["REV", "POS", "TYPE", "TIME", "DATA"], events.map {
                ["\($0.revision)", "\($0.position)", $0.type, TimeParsing.iso($0.timestamp), String(Output.text($0.data).prefix(70))]
            }, rightAligned: [0, 1])
        }
    }

    struct Streams: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List streams with their event counts (a category is the part before the first '-').")
        @OptionGroup var data: DataOptions
        @OptionGroup var output: JSONOption
        @Option var category: String?

        func run() async throws {
            let streams = try await EventSession.with(data) { $0.streams(category: category) }
            if output.json { return try Output.json(streams.map(StreamReport.init)) }
            if streams.isEmpty { return print("no streams") }
            Output.table(["STREAM", "CATEGORY", "EVENTS"], streams.map { [$0.name, $0.category, "\($0.eventCount)"] }, rightAligned: [2])
        }
    }
}

struct SubscriptionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscription", abstract: "Persistent subscriptions: create, list, describe (lag, parked), replay parked events.",
        subcommands: [Create.self, List.self, Describe.self, ReplayParked.self])

    struct Target: ParsableArguments {
        @Argument(help: "The subscription group.") var group: String
        @Option(help: "The stream it reads, or $all.") var stream: String = "$all"
        var source: EventSource { EventSource(parsing: stream) }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a persistent subscription group.")
        @OptionGroup var data: DataOptions
        @OptionGroup var target: Target
        @Option(help: "start or end (of the stream, at creation).") var from = "end"
        @Option(name: .customLong("max-retry-count"), help: "Retries before an event is parked.") var maxRetryCount = 10

        func run() async throws {
            let start: StartPoint
            switch from { case "start": start = .start; case "end": start = .end; default: throw ValidationError("--from must be start or end") }
            try await EventSession.with(data) { store in
                try store.createPersistentSubscription(target.group, on: target.source,
                                                       settings: PersistentSubscriptionSettings(startFrom: start, maxRetryCount: maxRetryCount))
            }
            print("created subscription \(target.group) on \(target.stream)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Persistent subscriptions with checkpoint, lag and parked events.")
        @OptionGroup var data: DataOptions
        @OptionGroup var output: JSONOption

        func run() async throws {
            let snaps = try await EventSession.with(data) { $0.subscriptionSnapshots() }
            if output.json { return try Output.json(snaps.map(SubscriptionReport.init)) }
            if snaps.isEmpty { return print("no subscriptions") }
            Output.table(["SUBSCRIPTION", "SOURCE", "STATE", "CHECKPOINT", "LAG", "LAG S", "PARKED"], snaps.map {
                [$0.name, $0.source.description, "\($0.state)", $0.checkpoint.map(String.init) ?? "-", "\($0.lagEvents)", String(format: "%.1f", $0.lagSeconds), "\($0.parkedCount)"]
            }, rightAligned: [3, 4, 5, 6])
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One subscription's checkpoint, lag and parked events.")
        @OptionGroup var data: DataOptions
        @OptionGroup var output: JSONOption
        @OptionGroup var target: Target

        func run() async throws {
            let (snap, parked) = try await EventSession.with(data) { store -> (SubscriptionSnapshot?, [RecordedEvent]) in
                (store.subscriptionSnapshot(group: target.group, on: target.source), try store.parkedEvents(target.group, on: target.source))
            }
            guard let snap else { throw WharfError.unknownSubscription("\(target.stream)::\(target.group)") }
            if output.json { return try Output.json(SubscriptionReport(snap)) }
            print("\(snap.name) on \(snap.source): \(snap.state), checkpoint \(snap.checkpoint.map(String.init) ?? "-"), lag \(Output.count(snap.lagEvents, "event")) (\(String(format: "%.1f", snap.lagSeconds)) s), \(snap.parkedCount) parked")
            for e in parked { print("  parked: \(e.stream)@\(e.revision) \(e.type) \(String(Output.text(e.data).prefix(60)))") }
        }
    }

    struct ReplayParked: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "replay-parked", abstract: "Send parked events back to the group, in order.")
        @OptionGroup var data: DataOptions
        @OptionGroup var target: Target

        func run() async throws {
            let n = try await EventSession.with(data) { try $0.replayParked(target.group, on: target.source) }
            print("replaying \(Output.count(n, "parked event")) to \(target.group)")
        }
    }
}
