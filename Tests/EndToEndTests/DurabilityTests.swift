import Foundation
import WharfSpawn
import WharfTestSupport
import Testing

/// Real processes, real files, real signals: the data-directory lock and `kill -9` under
/// `--fsync always`.
@Suite(.endToEnd) struct DurabilityTests {
    /// Starts `wharf produce` with a pipe on stdin; it holds the data directory until stdin closes.
    final class RunningProducer: Sendable {
        let process: ChildProcess
        var stdin: FileHandle { process.standardInput! }
        var stdout: FileHandle { process.standardOutput! }

        init(_ args: [String]) throws {
            process = try ChildProcess([WharfProcess.binary] + args, stdin: .pipe, stdout: .pipe, stderr: .null)
        }

        func send(_ text: String) { Self.send(text, to: stdin.fileDescriptor) }

        /// Writes to the child's stdin; after a kill the write just fails (SIGPIPE is ignored).
        static func send(_ text: String, to fd: Int32) {
            signal(SIGPIPE, SIG_IGN)
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        }

        /// Reads stdout until `count` lines have arrived (bounded by a deadline), on a thread of its
        /// own (see `offThePool`).
        func readLines(_ count: Int, deadline: TimeInterval = 30) async throws -> [String] {
            try await offThePool { self.readLinesBlocking(count, deadline: deadline) }
        }

        private func readLinesBlocking(_ count: Int, deadline: TimeInterval) -> [String] {
            var buffer = Data()
            var lines: [String] = []
            let end = Date().addingTimeInterval(deadline)
            let fd = stdout.fileDescriptor
            while lines.count < count, Date() < end {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&pfd, 1, 100) > 0 else { continue }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let n = read(fd, &chunk, chunk.count)
                if n <= 0 { break }
                buffer.append(contentsOf: chunk[..<n])
                while let nl = buffer.firstIndex(of: 0x0a) {
                    lines.append(String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self))
                    buffer.removeSubrange(buffer.startIndex...nl)
                }
            }
            return Array(lines.prefix(count))
        }

        func kill9() {
            process.kill()
            process.waitUntilExit()
        }

        func finish() {
            try? stdin.close()
            process.waitUntilExit()
        }
    }

    @Test func secondProcessOnTheSameDataDirectoryFailsNamingTheOwner() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        try await WharfProcess.run(["topic", "create", "t", "--partitions", "1"] + d)
        let holder = try RunningProducer(["produce", "t", "--echo-offsets", "--batch-size", "1"] + d)
        defer { holder.finish() }
        holder.send("first\n")
        #expect(try await holder.readLines(1) == ["0 0"])  // the holder has the engine open
        let r = try await WharfProcess.run(["topic", "list"] + d)
        #expect(r.status != 0)
        #expect(r.stderr.contains("in use by another wharf process (pid \(holder.process.pid))"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        holder.finish()
        // Once the holder is gone the directory is free again, and nothing was lost.
        let after = try await WharfProcess.run(["consume", "t"] + d)
        #expect(after.status == 0 && after.lines == ["first"])
    }

    @Test func acknowledgedAppendsSurviveSigkillUnderFsyncAlways() async throws {
        let dir = TempDir()
        let d = ["--data", dir.path]
        try await WharfProcess.run(["topic", "create", "t", "--partitions", "1"] + d)
        let producer = try RunningProducer(["produce", "t", "--fsync", "always", "--batch-size", "1", "--echo-offsets"] + d)
        // Keep writing while acknowledgements come back, then kill in the middle of the stream.
        let total = 3000
        let writerDone = DispatchSemaphore(value: 0)
        let fd = producer.stdin.fileDescriptor
        let writer = Thread {
            for i in 0..<total { RunningProducer.send("\(i)\n", to: fd) }
            writerDone.signal()
        }
        writer.start()
        let acks = try await producer.readLines(300, deadline: 90)
        producer.kill9()
        try await offThePool { writerDone.wait() }  // no write may race with the pipe's closing below
        #expect(acks.count == 300, "only \(acks.count) acknowledgements arrived")
        // Acks are "partition offset" and come in order.
        #expect(acks == (0..<acks.count).map { "0 \($0)" })

        let r = try await WharfProcess.run(["consume", "t"] + d)
        #expect(r.status == 0, "\(r.stderr)")
        let values = r.lines
        // The reopened log is a prefix of what was written, holding at least everything acknowledged.
        #expect(values.count >= acks.count)
        #expect(values == (0..<values.count).map(String.init))
    }
}
