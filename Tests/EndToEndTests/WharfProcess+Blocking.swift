import Foundation

extension WharfProcess {
    /// The blocking form of `run`, kept so tests that are not async yet still compile. It holds
    /// a pool thread until the child exits (see `offThePool`); new tests await the async `run`.
    @discardableResult
    static func run(_ args: [String], stdin: String? = nil, environment: [String: String] = [:],
                    executable: String? = nil, prefix: [String] = []) throws -> Result {
        let child = try Launched(prefix + args, stdin: stdin, environment: environment, executable: executable)
        // Both pipes are read to the end before waiting, so a large output cannot block the child.
        let errData = ThreadSafeBox<Data>()
        let errRead = DispatchSemaphore(value: 0)
        Thread {
            errData.set(child.err.fileHandleForReading.readDataToEndOfFile())
            errRead.signal()
        }.start()
        let outData = child.out.fileHandleForReading.readDataToEndOfFile()
        child.process.waitUntilExit()
        errRead.wait()
        return Result(status: child.process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData.get() ?? Data(), as: UTF8.self))
    }
}
