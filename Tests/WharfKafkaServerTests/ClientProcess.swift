import Foundation
import WharfCore

/// Runs a real Kafka client (kcat, a Python script) to completion off the cooperative pool, so
/// the in-process listener it talks to keeps being served; killed after `timeout`.
enum ClientProcess {
    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ argv: [String], stdin: String = "", timeout: Duration = .seconds(60)) async throws -> Result {
        try await RawKafkaSocket.offPool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = argv
            let input = Pipe(), output = Pipe(), errors = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try? input.fileHandleForWriting.close()
            // Read both pipes while the child runs, so a chatty client cannot fill one and stall.
            let out = ReadAll(output.fileHandleForReading), err = ReadAll(errors.fileHandleForReading)
            let pid = process.processIdentifier
            let killer = DispatchWorkItem { kill(pid, SIGKILL) }
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(Int(timeout.components.seconds)), execute: killer)
            process.waitUntilExit()
            killer.cancel()
            return Result(status: process.terminationStatus, stdout: out.wait(), stderr: err.wait())
        }
    }

    /// Drains a pipe on its own thread.
    private final class ReadAll: @unchecked Sendable {
        // Safe: `data` is written once by the reading thread before `done` is signalled, and read
        // only after `wait()` has seen that signal.
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)

        init(_ handle: FileHandle) {
            Thread.detachNewThread { [self] in
                data = handle.readDataToEndOfFile()
                done.signal()
            }
        }

        func wait() -> String {
            done.wait()
            return String(decoding: data, as: UTF8.self)
        }
    }
}
