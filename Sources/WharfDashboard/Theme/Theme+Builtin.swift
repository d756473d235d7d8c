/// Themes compiled into the binary, so the dashboard works with no theme files installed.
/// The texts are copies of `themes/default.toml` and `themes/monochrome.toml`; a test keeps
/// them identical.
extension Theme {
    /// The dark default theme.
    public static let builtinDefault: Theme = builtin(defaultText, file: "<builtin default.toml>")

    /// No colours, attributes only: used when `NO_COLOR` is set or the terminal has no colours.
    public static let builtinMonochrome: Theme = builtin(monochromeText, file: "<builtin monochrome.toml>")

    static func builtin(_ text: String, file: String) -> Theme {
        do {
            return try Theme.parse(text, file: file)
        } catch {
            // Unreachable while the builtin-theme test passes; fail loudly rather than draw garbage.
            fatalError("built-in theme does not parse: \(error)")
        }
    }

    public static let defaultText = #"""
# Wharf default (dark). "default" means the terminal's own colour.
# Palette: each colour once ("#rrggbb", an ANSI name such as "bright-red", "colorN", or "default").
# Roles: what each part of the screen means, mapped to palette names; every role is required.
name = "default"

[palette]
bg = "default"
fg = "default"
muted = "#7f848e"
surface = "#2c323c"
bar-fg = "#abb2bf"
accent = "#61afef"
accent2 = "#c678dd"
ok = "#98c379"
warn = "#e5c07b"
crit = "#e06c75"
info = "#56b6c2"
selection-bg = "#3e4451"
selection-fg = "#ffffff"
dialog-bg = "#21252b"
input-bg = "#3e4451"

[roles]
base = { fg = "fg", bg = "bg" }  # ordinary text
dim = { fg = "muted", bg = "bg" }  # units, separators, "none yet"
title = { fg = "accent", bg = "bg", bold = true }  # section titles
border = { fg = "muted", bg = "bg" }  # box lines
header-bar = { fg = "bar-fg", bg = "surface" }  # top line
header-accent = { fg = "accent", bg = "surface", bold = true }
breadcrumb = { fg = "muted", bg = "bg" }  # path line
breadcrumb-active = { fg = "accent2", bg = "bg", bold = true }
footer = { fg = "bar-fg", bg = "surface" }  # key hints
footer-key = { fg = "accent", bg = "surface", bold = true }
table-header = { fg = "accent2", bg = "bg", bold = true }
table-header-sorted = { fg = "accent", bg = "bg", bold = true, underline = true }
row-selected = { fg = "selection-fg", bg = "selection-bg", bold = true }
row-marked = { fg = "warn", bg = "bg", bold = true }  # partitions picked with space
number = { fg = "fg", bg = "bg" }
sparkline = { fg = "info", bg = "bg" }
good = { fg = "ok", bg = "bg" }
warning = { fg = "warn", bg = "bg" }
critical = { fg = "crit", bg = "bg", bold = true }
status-ok = { fg = "ok", bg = "bg" }  # Burrow statuses
status-warn = { fg = "warn", bg = "bg", bold = true }
status-stall = { fg = "crit", bg = "bg", bold = true }
status-stop = { fg = "crit", bg = "bg", bold = true, underline = true }
status-rewind = { fg = "accent2", bg = "bg", bold = true }
dangerous = { fg = "crit", bg = "surface", bold = true }  # destructive keys and dialog marks
dialog = { fg = "fg", bg = "dialog-bg" }
dialog-border = { fg = "accent", bg = "dialog-bg" }
dialog-title = { fg = "accent", bg = "dialog-bg", bold = true }
input = { fg = "fg", bg = "input-bg" }
input-cursor = { fg = "input-bg", bg = "fg" }
completion = { fg = "fg", bg = "dialog-bg" }  # palette candidates
completion-selected = { fg = "selection-fg", bg = "selection-bg", bold = true }
filter = { fg = "warn", bg = "bg", bold = true }  # active filter
message = { fg = "ok", bg = "bg" }  # status line
message-error = { fg = "crit", bg = "bg", bold = true }
json-key = { fg = "accent2", bg = "bg" }
json-string = { fg = "ok", bg = "bg" }
json-number = { fg = "warn", bg = "bg" }
hex-offset = { fg = "muted", bg = "bg" }

"""#

    public static let monochromeText = #"""
# Monochrome: no colours at all, attributes only (also what NO_COLOR uses).
# Palette: each colour once ("#rrggbb", an ANSI name such as "bright-red", "colorN", or "default").
# Roles: what each part of the screen means, mapped to palette names; every role is required.
name = "monochrome"

[palette]
fg = "default"
bg = "default"

[roles]
base = {}  # ordinary text
dim = { dim = true }  # units, separators, "none yet"
title = { bold = true }  # section titles
border = { dim = true }  # box lines
header-bar = { reverse = true }  # top line
header-accent = { reverse = true, bold = true }
breadcrumb = { dim = true }  # path line
breadcrumb-active = { bold = true }
footer = { reverse = true }  # key hints
footer-key = { reverse = true, bold = true }
table-header = { bold = true }
table-header-sorted = { bold = true, underline = true }
row-selected = { reverse = true }
row-marked = { bold = true, underline = true }  # partitions picked with space
number = {}
sparkline = {}
good = {}
warning = { bold = true }
critical = { bold = true, underline = true }
status-ok = {}  # Burrow statuses
status-warn = { bold = true }
status-stall = { bold = true, underline = true }
status-stop = { bold = true, reverse = true }
status-rewind = { bold = true, underline = true }
dangerous = { bold = true, underline = true }  # destructive keys and dialog marks
dialog = {}
dialog-border = { bold = true }
dialog-title = { bold = true }
input = { underline = true }
input-cursor = { reverse = true }
completion = {}  # palette candidates
completion-selected = { reverse = true }
filter = { bold = true }  # active filter
message = { bold = true }  # status line
message-error = { bold = true, underline = true }
json-key = { bold = true }
json-string = {}
json-number = {}
hex-offset = { dim = true }

"""#
}
