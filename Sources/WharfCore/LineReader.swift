import Foundation

/// Splits a file descriptor's bytes into lines without going through String (so any bytes pass
/// unchanged). A final line without a newline still counts; "\r\n" loses its "\r".
public struct LineReader {
    public let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false

    public init(fd: Int32) { self.fd = fd }

    public mutating func next() -> [UInt8]? {
        while true {
            if let nl = buffer[start...].firstIndex(of: 0x0a) {
                var end = nl
                if end > start, buffer[end - 1] == 0x0d { end -= 1 }
                let line = Array(buffer[start..<end])
                start = nl + 1
                return line
            }
            if eof {
                guard start < buffer.count else { return nil }
                let line = Array(buffer[start...])
                start = buffer.count
                return line
            }
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { eof = true } else { buffer.append(contentsOf: chunk[..<n]) }
        }
    }
}
