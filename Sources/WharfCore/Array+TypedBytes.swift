/// `withUnsafeBytes` / `withUnsafeMutableBytes` for closures that throw `WharfError`: the
/// standard library's versions are `rethrows`, which erases the typed error.
extension Array where Element == UInt8 {
    @inlinable public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws(WharfError) -> R) throws(WharfError) -> R {
        var outcome: Result<R, WharfError>?
        withUnsafeBytes { raw in
            do throws(WharfError) { outcome = .success(try body(raw)) } catch { outcome = .failure(error) }
        }
        return try outcome!.get()
    }

    @inlinable public mutating func withMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws(WharfError) -> R) throws(WharfError) -> R {
        var outcome: Result<R, WharfError>?
        withUnsafeMutableBytes { raw in
            do throws(WharfError) { outcome = .success(try body(raw)) } catch { outcome = .failure(error) }
        }
        return try outcome!.get()
    }
}
