#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNCursesW
import WharfDashboard

/// The curses screen: owns the `WINDOW*`, turns a `Canvas` into drawing calls (only the cells
/// that changed since the last frame), maps theme roles to colour pairs, and reads keys.
///
/// ncurses is not thread-safe and its globals are not Sendable, so everything here is
/// @MainActor and this is the only type that touches the window.
@MainActor
final class CursesScreen: Screen {
    private let window: UnsafeMutablePointer<WINDOW>
    private var previous: Canvas?
    /// Per role (by `StyleRole.index`): attributes and colour pair.
    private var attrs: [attr_t] = []
    private var pairs: [Int16] = []
    private var wideBuffer = [wchar_t](repeating: 0, count: 8)
    private var changed: [Int] = []
    private var closed = false
    let colorCount: Int
    /// Whether stdin was a terminal when curses started (see `stopRequested`).
    private let hadTerminal = isatty(STDIN_FILENO) == 1

    /// Initialises curses. `noColor` (NO_COLOR set) keeps the terminal's colours and uses
    /// the monochrome theme's attributes instead.
    init(theme: Theme, noColor: Bool) {
        if setlocale(LC_ALL, "") == nil || wharf_locale_is_utf8() == 0 {
            setlocale(LC_CTYPE, "C.UTF-8")
        }
        wharf_install_crash_handlers()
        StopSignals.install()
        initscr()
        window = wharf_stdscr()
        cbreak()
        noecho()
        nonl()
        keypad(window, true)
        set_escdelay(25)
        curs_set(0)
        wtimeout(window, 50)
        var colors = 0
        if !noColor && has_colors() {
            start_color()
            use_default_colors()
            colors = Int(wharf_colors())
            if Int(wharf_color_pairs()) <= StyleRole.allCases.count { colors = 0 }
        }
        colorCount = colors
        configure(theme: colors > 0 ? theme : .builtinMonochrome)
    }

    private func configure(theme: Theme) {
        attrs = []
        pairs = []
        for role in StyleRole.allCases {
            let style = theme.style(role)
            var a = wharf_attr_normal()
            if style.bold { a |= wharf_attr_bold() }
            if style.dim { a |= wharf_attr_dim() }
            if style.underline { a |= wharf_attr_underline() }
            if style.reverse { a |= wharf_attr_reverse() }
            attrs.append(a)
            if colorCount > 0 {
                let pair = Int16(role.index + 1)
                let fg = Int16(ColorMapper.index(for: style.fg, colors: colorCount))
                let bg = Int16(ColorMapper.index(for: style.bg, colors: colorCount))
                init_pair(pair, fg, bg)
                pairs.append(pair)
            } else {
                pairs.append(0)
            }
        }
        previous = nil
    }

    var size: (width: Int, height: Int) { (Int(wharf_cols(window)), Int(wharf_rows(window))) }

    /// Forgets the previous frame so the next `draw` repaints everything (after resize).
    func invalidate() {
        previous = nil
        clearok(window, true)
    }

    /// Draws the cells that differ from the previous frame (`Canvas.changes`), then
    /// refreshes once.
    func draw(_ canvas: Canvas) {
        if previous.map({ $0.width != canvas.width || $0.height != canvas.height }) ?? true { werase(window) }
        canvas.changes(from: previous, into: &changed)
        let width = canvas.width
        for i in changed { put(canvas.cells[i], x: i % width, y: i / width) }
        wnoutrefresh(window)
        doupdate()
        previous = canvas
    }

    private func put(_ cell: Cell, x: Int, y: Int) {
        let i = cell.role.index
        var n = 0
        for scalar in cell.character.unicodeScalars where n < 5 {
            wideBuffer[n] = wchar_t(bitPattern: scalar.value)
            n += 1
        }
        wideBuffer[n] = 0
        _ = wideBuffer.withUnsafeBufferPointer { buf in
            wharf_put_cell(window, Int32(y), Int32(x), buf.baseAddress, attrs[i], pairs[i])
        }
    }

    /// SIGTERM/SIGINT/SIGHUP, or the terminal went away without a SIGHUP reaching this process
    /// (a hung-up tty fails every ioctl, so `isatty` turns false; input then returns at once and
    /// the loop would spin): stop like `q`, so the caller closes the engine cleanly.
    var stopRequested: Bool { StopSignals.pending != nil || (hadTerminal && isatty(STDIN_FILENO) == 0) }

    /// Blocks the main actor for at most `timeoutMs` (curses reads on this thread only); effects
    /// and refreshes run on other threads meanwhile.
    func nextInput(timeoutMs: Int) async -> ScreenInput? {
        readInput(timeoutMs: timeoutMs)
    }

    /// Waits up to `timeoutMs` for input (0: just polls). nil when nothing arrived.
    func readInput(timeoutMs: Int) -> ScreenInput? {
        wtimeout(window, Int32(max(0, timeoutMs)))
        var ch: wint_t = 0
        let result = wget_wch(window, &ch)
        if result == ERR { return nil }
        return KeyDecoder.decode(code: UInt32(ch), isFunctionKey: result == KEY_CODE_YES)
    }

    /// Leaves curses and restores the terminal; safe to call twice.
    func close() {
        guard !closed else { return }
        closed = true
        curs_set(1)
        endwin()
        wharf_restore_default_signals()
    }
}
