import Foundation
import Testing
@testable import WharfDashboard

@Suite("Themes and the TOML subset")
struct ThemeTests {
    static let themesDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("themes")

    static var themeFiles: [URL] {
        ((try? FileManager.default.contentsOfDirectory(at: themesDir, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "toml" }.sorted { $0.path < $1.path }
    }

    @Test("every file in themes/ parses and defines every role")
    func allThemes() throws {
        let files = Self.themeFiles
        #expect(files.count >= 5)
        for name in ["default", "light", "high-contrast", "monochrome"] {
            #expect(files.contains { $0.lastPathComponent == "\(name).toml" }, "themes/\(name).toml missing")
        }
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            do {
                let theme = try Theme.parse(text, file: file.lastPathComponent)
                #expect(theme.styles.count == StyleRole.allCases.count)
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    @Test("the built-in themes are the files in themes/")
    func builtins() throws {
        #expect(try String(contentsOf: Self.themesDir.appendingPathComponent("default.toml"), encoding: .utf8) == Theme.defaultText)
        #expect(try String(contentsOf: Self.themesDir.appendingPathComponent("monochrome.toml"), encoding: .utf8) == Theme.monochromeText)
        #expect(Theme.builtinDefault.style(.rowSelected).bg != .terminalDefault)
        #expect(Theme.builtinMonochrome.style(.rowSelected).reverse)
        #expect(Theme.builtinDefault.style(.base).bg == .terminalDefault)
    }

    static func errorOf(_ text: String) -> TOMLError? {
        do {
            _ = try Theme.parse(text, file: "bad.toml")
            return nil
        } catch {
            return error
        }
    }

    @Test("errors name the file and line")
    func errors() {
        let missingRole = Theme.defaultText.replacingOccurrences(of: "sparkline = { fg = \"info\", bg = \"bg\" }\n", with: "")
        let e1 = Self.errorOf(missingRole)
        #expect(e1?.message.contains("missing roles: sparkline") == true)
        #expect(e1?.description.hasPrefix("bad.toml:") == true)

        let e2 = Self.errorOf("[palette]\nfg = \"#12345\"\n[roles]\n")
        #expect(e2?.line == 2)
        let e3 = Self.errorOf("[palette]\nfg = \"red\"\n[roles]\nbase = { fg = \"nope\" }\n")
        #expect(e3?.line == 4)
        #expect(e3?.message.contains("not in [palette]") == true)
        let e4 = Self.errorOf("[palette]\nfg = \"red\n")
        #expect(e4 == TOMLError(file: "bad.toml", line: 2, message: "unterminated string"))
        let e5 = Self.errorOf("# c\n\n[palette]\nfg = red\n")
        #expect(e5?.line == 4)
        let e6 = Self.errorOf("[palette]\n[palette]\n")
        #expect(e6?.line == 2)
        let e7 = Self.errorOf("[palette]\nfg = \"red\"\n[roles]\nbogus = {}\n")
        #expect(e7?.message == "unknown role 'bogus'")
        #expect(Self.errorOf("x = [1, 2]\n")?.message == "arrays are not supported")
    }

    @Test("TOML subset: tables, dotted keys, strings, escapes, integers, booleans, inline tables, comments")
    func toml() throws {
        let doc = try TOMLParser.parse("""
        # comment
        title = "a \\"q\\" \\u00e9"   # trailing comment
        n = 1_000
        [t.sub]
        flag = true
        'lit key' = 'C:\\path'
        inline = { a = 1, b = { c = false } }
        """, file: "x.toml")
        #expect(doc["title"] == .string("a \"q\" é"))
        #expect(doc["n"] == .integer(1000))
        guard case .table(let t)? = doc["t"], case .table(let sub)? = t["sub"] else { Issue.record("no table"); return }
        #expect(sub["flag"] == .boolean(true))
        #expect(sub["lit key"] == .string("C:\\path"))
        guard case .table(let inline)? = sub["inline"], case .table(let b)? = inline["b"] else { Issue.record("no inline"); return }
        #expect(inline["a"] == .integer(1))
        #expect(b["c"] == .boolean(false))
        #expect(sub.line(of: "flag") == 5)
    }

    @Test("#rrggbb maps to the nearest xterm-256, 16 or 8 colour")
    func colors() {
        #expect(ColorMapper.index(for: .rgb(255, 0, 0), colors: 256) == 196)
        #expect(ColorMapper.index(for: .rgb(0, 0, 0), colors: 256) == 16)
        #expect(ColorMapper.index(for: .rgb(128, 128, 128), colors: 256) == 244)
        #expect(ColorMapper.index(for: .rgb(0x61, 0xaf, 0xef), colors: 256) == 75)
        #expect(ColorMapper.index(for: .rgb(250, 10, 10), colors: 16) == 9)
        #expect(ColorMapper.index(for: .rgb(250, 10, 10), colors: 8) == 1)
        #expect(ColorMapper.index(for: .ansi(12), colors: 8) == 4)
        #expect(ColorMapper.index(for: .terminalDefault, colors: 256) == -1)
        #expect(ColorMapper.index(for: .rgb(1, 2, 3), colors: 0) == -1)
        #expect(ThemeColor.parse("bright-red") == .ansi(9))
        #expect(ThemeColor.parse("color200") == .indexed(200))
        #expect(ThemeColor.parse("#zzzzzz") == nil)
    }
}
