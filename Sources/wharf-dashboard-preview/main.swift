import Foundation
import WharfDashboard
import WharfTerminal

// Manual and tmux testing of the terminal layer without the engine: the dashboard over a
// synthetic in-process cluster whose producers and consumers move in real time.
//   wharf-dashboard-preview [--theme NAME|PATH] [--refresh MS] [--read-only] [--no-color]
//   wharf-dashboard-preview --bench [FRAMES]      render benchmark, prints ms per frame

var themeName: String?
var refreshMs = 1000
var readOnly = false
var noColor: Bool?
var bench: Int?
var args = CommandLine.arguments.dropFirst()
while let arg = args.popFirst() {
    switch arg {
    case "--theme": themeName = args.popFirst()
    case "--refresh": refreshMs = args.popFirst().flatMap(Int.init) ?? refreshMs
    case "--read-only": readOnly = true
    case "--no-color": noColor = true
    case "--bench": bench = args.first.flatMap(Int.init) ?? 100; if args.first.flatMap(Int.init) != nil { _ = args.popFirst() }
    default:
        FileHandle.standardError.write(Data("unknown option \(arg)\n".utf8))
        exit(2)
    }
}

if let frames = bench {
    let ms = RenderBenchmark.run(frames: frames)
    print("render: 2000 topics x 10 partitions, 500 groups, 200x60, sort+filter: \(ms) ms/frame")
    print("ingest: same cluster, rates + Burrow windows: \(RenderBenchmark.ingest()) ms/snapshot")
    exit(0)
}

let theme: Theme
do {
    theme = try ThemeLoader.load(nameOrPath: themeName)
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}

@Sendable func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

let driver = SyntheticDriver(cluster: SyntheticCluster(demoAt: nowMs()), source: "synthetic preview (no engine)", clock: nowMs)
let app = TerminalApp(theme: theme, noColor: noColor)
await app.run(initial: DashboardState(readOnly: readOnly, refreshMs: refreshMs), driver: driver)
