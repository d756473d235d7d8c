import Foundation
import WharfDashboard

/// Finds and reads theme files. A name ("dracula") is looked up as `<name>.toml` in
/// `$WHARF_THEMES`, `./themes`, and `themes/` next to (or one level above) the executable;
/// anything containing "/" or ending in ".toml" is a path. No name, or "default" with no file
/// found, gives the built-in default, so the binary works without any files.
public enum ThemeLoader {
    public struct NotFound: Error, CustomStringConvertible {
        public var name: String
        public var searched: [String]
        public var description: String {
            "theme '\(name)' not found; looked in: \(searched.joined(separator: ", "))"
        }
    }

    public static func searchDirectories(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var dirs: [String] = []
        if let custom = environment["WHARF_THEMES"], !custom.isEmpty { dirs.append(custom) }
        dirs.append(FileManager.default.currentDirectoryPath + "/themes")
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        dirs.append(exe.appendingPathComponent("themes").path)
        dirs.append(exe.deletingLastPathComponent().appendingPathComponent("share/wharf/themes").path)
        return dirs
    }

    /// Loads a theme by name or path. Parse errors are `TOMLError` ("file:line: message").
    public static func load(nameOrPath: String?, searchDirectories dirs: [String] = searchDirectories()) throws -> Theme {
        guard let name = nameOrPath, !name.isEmpty else { return .builtinDefault }
        if name.contains("/") || name.hasSuffix(".toml") {
            return try parse(path: name)
        }
        for dir in dirs {
            let path = dir + "/" + name + ".toml"
            if FileManager.default.fileExists(atPath: path) { return try parse(path: path) }
        }
        if name == "default" { return .builtinDefault }
        if name == "monochrome" { return .builtinMonochrome }
        throw NotFound(name: name, searched: dirs)
    }

    /// Names of the themes found in the search directories (for `--theme` help and errors).
    public static func available(searchDirectories dirs: [String] = searchDirectories()) -> [String] {
        var names = Set(["default", "monochrome"])
        for dir in dirs {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where file.hasSuffix(".toml") {
                names.insert(String(file.dropLast(5)))
            }
        }
        return names.sorted()
    }

    static func parse(path: String) throws -> Theme {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try Theme.parse(text, file: path)
    }
}
