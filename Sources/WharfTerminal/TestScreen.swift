import WharfDashboard

/// A `Screen` for tests, as NIO's `EmbeddedChannel` is a channel: inputs are queued by the test
/// (`send`, `resize`), frames are kept (`lastFrame`, `frameCount`), and waiting for input is an
/// ordinary `Task.sleep`, so effects and refreshes run meanwhile exactly as they do in a terminal.
@MainActor
public final class TestScreen: Screen {
    public private(set) var size: (width: Int, height: Int)
    public private(set) var lastFrame: Canvas?
    public private(set) var frameCount = 0
    public var stopRequested = false
    private var inputs: [ScreenInput] = []

    public init(width: Int = 80, height: Int = 24) {
        size = (width, height)
    }

    /// Queues an input for the loop.
    public func send(_ input: ScreenInput) {
        inputs.append(input)
    }

    public func send(_ keys: [Key]) {
        inputs += keys.map { .key($0) }
    }

    /// Changes the size and tells the loop, as a terminal's SIGWINCH does.
    public func resize(width: Int, height: Int) {
        size = (width, height)
        inputs.append(.resize)
    }

    /// The last frame's lines (empty before the first frame).
    public var lines: [String] { lastFrame?.lines ?? [] }

    public func draw(_ canvas: Canvas) {
        lastFrame = canvas
        frameCount += 1
    }

    public func invalidate() {}

    public func nextInput(timeoutMs: Int) async -> ScreenInput? {
        if inputs.isEmpty, timeoutMs > 0 { try? await Task.sleep(for: .milliseconds(timeoutMs)) }
        return inputs.isEmpty ? nil : inputs.removeFirst()
    }
}
