import CNCursesW
import WharfDashboard

/// Curses key codes to dashboard keys.
enum KeyDecoder {
    typealias Input = ScreenInput

    /// `isFunctionKey`: `wget_wch` returned KEY_CODE_YES (a KEY_* constant), else `code` is a
    /// character.
    static func decode(code: UInt32, isFunctionKey: Bool) -> Input {
        if isFunctionKey {
            switch Int32(code) {
            case KEY_RESIZE: return .resize
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_LEFT: return .key(.left)
            case KEY_RIGHT: return .key(.right)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_HOME: return .key(.home)
            case KEY_END: return .key(.end)
            case KEY_BACKSPACE: return .key(.backspace)
            case KEY_DC: return .key(.delete)
            case KEY_BTAB: return .key(.backTab)
            case KEY_ENTER: return .key(.enter)
            default:
                for n in 1...12 where Int32(code) == wharf_key_f(Int32(n)) { return .key(.function(n)) }
                return .ignored
            }
        }
        switch code {
        case 27: return .key(.escape)
        case 10, 13: return .key(.enter)
        case 9: return .key(.tab)
        case 8, 127: return .key(.backspace)
        case 1...26: return .key(.ctrl(Character(Unicode.Scalar(UInt8(code) + 96))))
        case 0..<32: return .ignored
        default:
            guard let scalar = Unicode.Scalar(code) else { return .ignored }
            return .key(.char(Character(scalar)))
        }
    }
}
