#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WharfCore

/// One open file descriptor and the POSIX calls storage needs (`pwrite`, `pread`, `fdatasync`,
/// `ftruncate`, `fstat`), every failure turned into a one-line `WharfError.io`.
///
/// Lifetime: the descriptor is closed in `deinit`, never explicitly. A reader that took a
/// reference under the log's lock can therefore keep `pread`-ing after the log rolled, deleted
/// (unlinked) or closed the segment: the descriptor stays valid until the last reference goes.
/// Thread-safety: the descriptor never changes; positional I/O needs no shared file offset, so
/// concurrent `read`/`write`/`sync` calls are safe (writers are serialized by the log).
final class PosixFile: Sendable {
    let fd: Int32
    let path: String
    /// Test seam, nil in production (see `FaultInjector`).
    let faults: FaultInjector?

    private init(fd: Int32, path: String, faults: FaultInjector?) {
        self.fd = fd
        self.path = path
        self.faults = faults
    }

    deinit {
        faults?.journal?.record(.close(fd: fd))
        _ = Glibc.close(fd)
    }

    /// Opens `path` read-write; `create` adds O_CREAT, `exclusive` O_EXCL, `truncate` O_TRUNC.
    static func open(_ path: String, create: Bool = false, exclusive: Bool = false, truncate: Bool = false,
                     faults: FaultInjector? = nil) throws(WharfError) -> PosixFile {
        var flags = O_RDWR | O_CLOEXEC
        if create { flags |= O_CREAT }
        if exclusive { flags |= O_EXCL }
        if truncate { flags |= O_TRUNC }
        let fd = Glibc.open(path, flags, OwnerOnly.fileMode)
        guard fd >= 0 else { throw PosixFile.error("open", path) }
        faults?.journal?.record(.open(fd: fd, path: path, create: create, truncate: truncate))
        return PosixFile(fd: fd, path: path, faults: faults)
    }

    /// Writes all of `bytes` at `offset`, retrying short writes and EINTR.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(WharfError) {
        var limit = bytes.count
        if let faults {
            switch faults.decide(.write, path: path) {
            case .proceed: break
            case .fail: throw .io("write \(path): injected fault")
            case .partialWrite: limit = bytes.count / 2
            }
        }
        try writeAll(UnsafeRawBufferPointer(rebasing: bytes[0..<limit]), at: offset)
        if limit < bytes.count { throw .io("write \(path): injected fault after \(limit) of \(bytes.count) bytes") }
    }

    /// `pwrite`s all of `bytes` at `offset` (short writes and EINTR retried) and journals it.
    private func writeAll(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(WharfError) {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw PosixFile.error("write", path)
            }
            if n == 0 { throw .io("write \(path): wrote 0 bytes") }
            done += n
        }
        if let journal = faults?.journal, bytes.count > 0 {
            journal.record(.write(fd: fd, offset: offset, bytes: Array(bytes)))
        }
    }

    private static let zeros = [UInt8](repeating: 0, count: 256 << 10)

    /// Writes `count` zero bytes at `offset` (real blocks, not a hole: see `LogSegment.zeroFillAhead`).
    /// Not subject to injected faults: the caller ignores its failure (a fill that did not happen
    /// only costs speed), and counting it would shift the write rules of tests aimed at data writes.
    func writeZeros(count: Int64, at offset: Int64) throws(WharfError) {
        var done: Int64 = 0
        while done < count {
            let piece = Int(min(count - done, Int64(Self.zeros.count)))
            try Self.zeros.withBytes { (raw) throws(WharfError) in
                try writeAll(UnsafeRawBufferPointer(rebasing: raw[0..<piece]), at: offset + done)
            }
            done += Int64(piece)
        }
    }

    func write(_ bytes: [UInt8], at offset: Int64) throws(WharfError) {
        try bytes.withBytes { (raw) throws(WharfError) in try write(raw, at: offset) }
    }

    /// Reads up to `buffer.count` bytes at `offset`; returns fewer only at end of file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(WharfError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw PosixFile.error("read", path)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads exactly `count` bytes at `offset` into a new array (one copy: pread into the array).
    func read(count: Int, at offset: Int64) throws(WharfError) -> [UInt8] {
        var failure: WharfError?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(WharfError) {
                initialized = try read(into: UnsafeMutableRawBufferPointer(buffer), at: offset)
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        guard bytes.count == count else { throw .io("read \(path): wanted \(count) bytes at \(offset), file ends after \(bytes.count)") }
        return bytes
    }

    /// `fdatasync`: data and the metadata needed to read it back are on stable storage; with
    /// `metadata`, `fsync` (all of the inode too: a whole-file replacement's new file).
    func sync(metadata: Bool = false) throws(WharfError) {
        let call = metadata ? "fsync" : "fdatasync"
        if let faults {
            faults.waitIfHeld(syncOf: path)
            if faults.decide(.sync, path: path) != .proceed { throw .io("\(call) \(path): injected fault") }
        }
        let syncId = faults?.journal?.syncStarted(.file(fd: fd))
        while (metadata ? fsync(fd) : fdatasync(fd)) != 0 {
            if errno == EINTR { continue }
            throw PosixFile.error(call, path)
        }
        if let syncId { faults?.journal?.record(.syncFinished(id: syncId)) }
    }

    func truncate(to size: Int64) throws(WharfError) {
        if let faults, faults.decide(.truncate, path: path) != .proceed { throw .io("truncate \(path): injected fault") }
        while ftruncate(fd, off_t(size)) != 0 {
            if errno == EINTR { continue }
            throw PosixFile.error("truncate", path)
        }
        faults?.journal?.record(.truncate(fd: fd, size: size))
    }

    func size() throws(WharfError) -> Int64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw PosixFile.error("stat", path) }
        return Int64(st.st_size)
    }

    static func error(_ op: String, _ path: String) -> WharfError {
        let code = errno
        return .io("\(op) \(path): \(String(cString: strerror(code))) (errno \(code))")
    }
}
