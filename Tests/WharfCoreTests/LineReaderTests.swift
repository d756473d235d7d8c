import Foundation
import Testing
import WharfCore

/// `LineReader` is how `produce`, `queue send` and `events append` split stdin: any bytes pass
/// unchanged, "\r\n" loses its "\r", and a last line without a newline still counts.
@Suite struct LineReaderTests {
    /// Every line of a file holding `bytes`.
    func lines(of bytes: [UInt8]) throws -> [[UInt8]] {
        let path = NSTemporaryDirectory() + "wharf-linereader-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var reader = LineReader(fd: fd)
        var out: [[UInt8]] = []
        while let line = reader.next() { out.append(line) }
        return out
    }

    @Test func splitsOnNewlinesKeepingEveryOtherByte() throws {
        let bytes: [UInt8] = Array("a\r\n\nb".utf8) + [0xff, 0x00, 0x0d] + Array("\nlast".utf8)
        #expect(try lines(of: bytes) == [Array("a".utf8), [], [UInt8(ascii: "b"), 0xff, 0x00], Array("last".utf8)])
    }

    @Test func emptyInputHasNoLines() throws {
        #expect(try lines(of: []).isEmpty)
        #expect(try lines(of: Array("\n".utf8)) == [[]])
    }

    /// Longer than one 64 KiB read: a line split across reads comes back whole.
    @Test func lineAcrossReadsComesBackWhole() throws {
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 100_000)
        #expect(try lines(of: long + [0x0a] + Array("y".utf8)) == [long, Array("y".utf8)])
    }
}
