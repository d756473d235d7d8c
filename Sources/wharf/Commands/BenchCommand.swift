import ArgumentParser
import Foundation
import WharfBench
import WharfCore
import WharfStorage

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure the engine (build with -c release for real figures).",
        subcommands: [Append.self, Fetch.self, Render.self, ClusterRefresh.self, MetricsScrape.self, Events.self, ESDB.self])

    struct Workload: ParsableArguments {
        @Option(help: "Records to write.") var records: Int = 5_000_000
        @Option(name: .customLong("record-size"), help: "Value bytes per record.") var recordSize: Int = 100
        @Option(name: .customLong("batch"), help: "Records per batch (one append each).") var batch: Int = 1000
        @Option(help: "Partitions of the benchmark topic; batches are dealt round-robin.") var partitions: Int32 = 1
        @Option(help: "Durability policy: always, interval:<ms>, never.") var fsync: String = "interval:100"
        @Option(help: "Directory for the benchmark data (default: a fresh temporary directory, removed afterwards).") var dir: String?
        @Flag(name: .long) var json = false

        func validate() throws {
            guard records > 0, recordSize >= 0, batch > 0, partitions > 0 else {
                throw ValidationError("--records, --batch and --partitions must be positive and --record-size 0 or more")
            }
            _ = try FsyncPolicy(parsing: fsync)
        }

        func appendWorkload() throws -> AppendWorkload {
            AppendWorkload(records: records, recordSize: recordSize, batch: batch, partitions: partitions, fsync: try FsyncPolicy(parsing: fsync))
        }
    }

    /// Options shared by the cluster benchmarks (`cluster-refresh`, `metrics-scrape`).
    struct ClusterShapeOptions: ParsableArguments {
        @Option(help: "Topics to create.") var topics: Int = 2000
        @Option(help: "Partitions per topic.") var partitions: Int32 = 3
        @Option(help: "Consumer groups with committed offsets.") var groups: Int = 500
        @Option(name: .customLong("topics-per-group"), help: "Topics each group committed to (every partition).") var topicsPerGroup: Int = 4

        var isValid: Bool { topics > 0 && partitions > 0 && groups >= 0 && topicsPerGroup > 0 && topicsPerGroup <= topics }
        var shape: ClusterShape { ClusterShape(topics: topics, partitions: partitions, groups: groups, topicsPerGroup: topicsPerGroup) }
    }

    struct Append: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Append throughput: records/s and MB/s.")
        @OptionGroup var workload: Workload
        @Flag(name: .customLong("disk-baseline"), help: "Also measure the disk with dd (1 GiB, conv=fdatasync) in the same directory and print our MB/s as a share of it.")
        var diskBaseline = false

        func run() throws {
            let w = try workload.appendWorkload()
            try BenchDirectory.with(workload.dir) { dir in
                try AppendBenchmark.measure(w, fsync: workload.fsync, in: dir, diskBaseline: diskBaseline).print(json: workload.json)
            }
        }
    }

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch throughput: writes the workload, then reads it all back and visits every record.")
        @OptionGroup var workload: Workload
        @Option(name: .customLong("max-bytes"), help: "Bytes per fetch.") var maxBytes: Int = 1 << 20

        func run() throws {
            let w = try workload.appendWorkload()
            try BenchDirectory.with(workload.dir) { dir in
                try FetchBenchmark.measure(w, fsync: workload.fsync, in: dir, maxBytes: maxBytes).print(json: workload.json)
            }
        }
    }
}

extension BenchCommand {
    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Dashboard frame time: a snapshot of 2,000 topics, 20,000 partitions and 500 groups, sorted and filtered, into a 200x60 canvas.")
        @Option(help: "Frames to render.") var frames: Int = 200
        @Flag(name: .long) var json = false

        func run() throws {
            let r = RenderBenchReport.measure(frames: frames)
            if json { return try Output.json(r) }
            print(r.line)
        }
    }
}

extension BenchResult {
    func print(json: Bool) throws {
        if json { return try Output.json(self) }
        lines.forEach { Swift.print($0) }
    }
}
