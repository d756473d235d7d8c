/// The cells a terminal must redraw to go from one frame to the next (ratatui's
/// `Buffer::diff`): each changed cell that starts a glyph, and, when only the right half of
/// a wide glyph changed, that glyph's left half. Continuation cells are never emitted: the
/// wide glyph to their left covers them.
extension Canvas {
    /// Fills `out` (cleared first, capacity kept) with the flat indices to redraw, in row
    /// order. With no previous frame, or a different size, every glyph is redrawn.
    public func changes(from previous: Canvas?, into out: inout [Int]) {
        out.removeAll(keepingCapacity: true)
        guard let previous, previous.width == width, previous.height == height else {
            for i in cells.indices where cells[i].width != 0 { out.append(i) }
            return
        }
        for i in cells.indices where cells[i] != previous.cells[i] {
            if cells[i].width != 0 {
                out.append(i)
            } else if i % width > 0, out.last != i - 1 {
                out.append(i - 1)
            }
        }
    }

    /// Convenience for tests: the (x, y) positions `changes(from:into:)` reports.
    public func changedPositions(from previous: Canvas?) -> [(x: Int, y: Int)] {
        var out: [Int] = []
        changes(from: previous, into: &out)
        return out.map { ($0 % width, $0 / width) }
    }
}
