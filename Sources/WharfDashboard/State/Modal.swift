/// The dialog or overlay on top of the view (at most one).
public enum Modal: Equatable, Sendable {
    case help
    case palette(PaletteState)
    /// `/` typing; `previous` is restored by Esc.
    case filter(input: TextInput, previous: String)
    case reset(ResetDialog)
    case purge(PurgeDialog)
    case confirmUndo
    /// Records view: jump to an offset or a date-time.
    case seek(TextInput)
    case rebuildProjection(RebuildDialog)
    case replayParked(ReplayParkedDialog)
}

public struct PaletteState: Equatable, Sendable {
    public var input = TextInput()
    public var selected = 0
}
