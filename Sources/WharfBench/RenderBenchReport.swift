import Foundation
import WharfDashboard

/// `wharf bench render`'s figures: the fixed scene (2,000 topics of 10 partitions, 500 groups,
/// sorted and filtered into a 200x60 canvas) and its frame and ingest times. `--json` prints it
/// as is (a contract BENCHMARKS.md and scripts rely on); the text form is `line`.
public struct RenderBenchReport: Encodable, Sendable {
    public let benchmark = "render"
    public let topics = 2000
    public let partitions = 20000
    public let groups = 500
    public let width = 200
    public let height = 60
    public let frames: Int
    public let msPerFrame: Double
    public let ingestMsPerSnapshot: Double

    /// Renders the scene `frames` times, then times the ingest of one snapshot.
    public static func measure(frames: Int) -> RenderBenchReport {
        let ms = RenderBenchmark.run(topics: 2000, partitionsPerTopic: 10, groups: 500, width: 200, height: 60, frames: frames)
        return RenderBenchReport(frames: frames, msPerFrame: ms, ingestMsPerSnapshot: RenderBenchmark.ingest())
    }

    public var line: String {
        String(format: "render: 2000 topics x 10 partitions, 500 groups, 200x60, sort+filter: %.2f ms/frame (%d frames); snapshot ingest (rates, Burrow windows): %.2f ms",
               msPerFrame, frames, ingestMsPerSnapshot)
    }
}
