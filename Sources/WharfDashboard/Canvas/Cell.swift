/// One terminal cell.
///
/// Invariant kept by `Canvas`: a cell of `width == 2` is always followed, on the same row, by
/// a continuation cell (`width == 0`) that draws nothing; a continuation never starts a row and
/// never follows anything but a wide cell. `Character` stores small graphemes inline, so a cell
/// costs no heap allocation.
public struct Cell: Equatable, Sendable {
    public var character: Character
    /// Display columns: 1 or 2 for a glyph, 0 for the right half of the wide glyph to the left.
    public var width: UInt8
    public var role: StyleRole

    @inlinable
    public init(character: Character, width: UInt8 = 1, role: StyleRole = .base) {
        self.character = character
        self.width = width
        self.role = role
    }

    public static let blank = Cell(character: " ", width: 1, role: .base)

    @inlinable
    public static func blank(_ role: StyleRole) -> Cell { Cell(character: " ", width: 1, role: role) }

    @inlinable
    public static func continuation(_ role: StyleRole) -> Cell { Cell(character: " ", width: 0, role: role) }

    public var isContinuation: Bool { width == 0 }
}
