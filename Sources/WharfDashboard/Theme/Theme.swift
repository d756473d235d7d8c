/// How one role looks.
public struct RoleStyle: Equatable, Sendable {
    public var fg: ThemeColor
    public var bg: ThemeColor
    public var bold: Bool
    public var dim: Bool
    public var underline: Bool
    public var reverse: Bool

    public init(fg: ThemeColor = .terminalDefault, bg: ThemeColor = .terminalDefault,
                bold: Bool = false, dim: Bool = false, underline: Bool = false, reverse: Bool = false) {
        self.fg = fg
        self.bg = bg
        self.bold = bold
        self.dim = dim
        self.underline = underline
        self.reverse = reverse
    }
}

/// Roles mapped to colours and attributes.
///
/// File format (TOML, see `themes/`): a `[palette]` table names each colour once
/// (`accent = "#61afef"`, `red = "red"`, `bg = "default"`), and a `[roles]` table maps every
/// `StyleRole` to palette names: `row-selected = { fg = "bg", bg = "accent", bold = true }`
/// (attributes: bold, dim, underline, reverse; `fg`/`bg` default to the terminal's own colour).
/// A role may not name a colour directly, so a palette change recolours the whole theme.
/// Every role must be present and unknown roles are errors, so typos are caught on load.
public struct Theme: Equatable, Sendable {
    public var name: String
    public var palette: [String: ThemeColor]
    /// Indexed by `StyleRole.index`.
    public private(set) var styles: [RoleStyle]

    public init(name: String, palette: [String: ThemeColor], styles: [StyleRole: RoleStyle]) {
        self.name = name
        self.palette = palette
        self.styles = StyleRole.allCases.map { styles[$0] ?? RoleStyle() }
    }

    public func style(_ role: StyleRole) -> RoleStyle { styles[role.index] }

    /// Parses a theme file; errors name the file and line.
    public static func parse(_ text: String, file: String) throws(TOMLError) -> Theme {
        let doc = try TOMLParser.parse(text, file: file)
        func fail(_ line: Int?, _ message: String) -> TOMLError { TOMLError(file: file, line: line ?? 1, message: message) }

        guard case .table(let paletteTable)? = doc["palette"] else { throw fail(1, "missing [palette] table") }
        guard case .table(let rolesTable)? = doc["roles"] else { throw fail(1, "missing [roles] table") }
        var name = "unnamed"
        if case .string(let s)? = doc["name"] { name = s }

        var palette: [String: ThemeColor] = [:]
        for key in paletteTable.keys {
            guard case .string(let s)? = paletteTable[key], let color = ThemeColor.parse(s) else {
                throw fail(paletteTable.line(of: key), "palette '\(key)': expected \"#rrggbb\", an ANSI colour name, \"colorN\" or \"default\"")
            }
            palette[key] = color
        }
        func resolve(_ value: TOMLValue?, role: String, field: String, line: Int?) throws(TOMLError) -> ThemeColor {
            guard let value else { return .terminalDefault }
            guard case .string(let ref) = value else { throw fail(line, "role '\(role)': \(field) must be a palette name in quotes") }
            if ref == "default" { return .terminalDefault }
            guard let color = palette[ref] else { throw fail(line, "role '\(role)': \(field) = \"\(ref)\" is not in [palette]") }
            return color
        }

        var styles: [StyleRole: RoleStyle] = [:]
        for key in rolesTable.keys {
            let line = rolesTable.line(of: key)
            guard let role = StyleRole(rawValue: key) else { throw fail(line, "unknown role '\(key)'") }
            var style = RoleStyle()
            switch rolesTable[key] {
            case .string?:
                style.fg = try resolve(rolesTable[key], role: key, field: "fg", line: line)
            case .table(let spec)?:
                for field in spec.keys {
                    switch field {
                    case "fg": style.fg = try resolve(spec[field], role: key, field: field, line: line)
                    case "bg": style.bg = try resolve(spec[field], role: key, field: field, line: line)
                    case "bold", "dim", "underline", "reverse":
                        guard case .boolean(let b)? = spec[field] else { throw fail(line, "role '\(key)': \(field) must be true or false") }
                        switch field {
                        case "bold": style.bold = b
                        case "dim": style.dim = b
                        case "underline": style.underline = b
                        default: style.reverse = b
                        }
                    default: throw fail(line, "role '\(key)': unknown field '\(field)'")
                    }
                }
            default: throw fail(line, "role '\(key)': expected { fg = \"...\", bg = \"...\" } or a palette name")
            }
            styles[role] = style
        }
        let missing = StyleRole.allCases.filter { styles[$0] == nil }.map(\.rawValue)
        if !missing.isEmpty { throw fail(doc.line(of: "roles"), "missing roles: \(missing.joined(separator: ", "))") }
        return Theme(name: name, palette: palette, styles: styles)
    }
}
