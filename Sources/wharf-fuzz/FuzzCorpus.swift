import Foundation

/// The regression corpus on disk. One case is one `.bin` file: the exact bytes one client
/// connection sent, i.e. request frames back to back (int32 big-endian size, then the
/// payload). A `.txt` beside it says what happened.
enum FuzzCorpus {
    static func save(frames: [[UInt8]], note: String, name: String, in directory: String) -> String? {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let base = (directory as NSString).appendingPathComponent(name)
        guard FileManager.default.createFile(atPath: base + ".bin", contents: Data(frames.joined())) else { return nil }
        _ = FileManager.default.createFile(atPath: base + ".txt", contents: Data(note.utf8))
        return base + ".bin"
    }

    /// Splits a case back into frames. Bytes after a size prefix that is negative or longer
    /// than what follows are returned as one last chunk, sent as they are.
    static func frames(in bytes: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var i = 0
        while i < bytes.count {
            guard bytes.count - i >= 4 else { out.append(Array(bytes[i...])); break }
            let size = Int(bytes.withUnsafeBytes { Int32(bigEndian: $0.loadUnaligned(fromByteOffset: i, as: Int32.self)) })
            guard size >= 0, size <= bytes.count - i - 4 else { out.append(Array(bytes[i...])); break }
            out.append(Array(bytes[i..<(i + 4 + size)]))
            i += 4 + size
        }
        return out
    }

    /// The `.bin` files named, directories expanded, sorted by name.
    static func caseFiles(_ paths: [String]) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.filter { $0.hasSuffix(".bin") }.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        return files.sorted()
    }
}
