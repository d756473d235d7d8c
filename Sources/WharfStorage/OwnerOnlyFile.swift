import WharfCore

/// A file only its owner may read or write (`OwnerOnly.fileMode`, as every file Wharf creates),
/// such as the SASL user store: replaced atomically and durably like every other metadata file
/// (`FileSystem.writeFileAtomically`). Public so that targets above storage can use that rule.
public enum OwnerOnlyFile {
    /// The whole file, or nil when it does not exist.
    public static func read(_ path: String) throws(WharfError) -> [UInt8]? {
        try FileSystem.readFile(path)
    }

    /// Replaces `path` with `bytes`. A leftover temporary file is removed first, so the new one
    /// is created with 0600 rather than keeping an older, wider mode; the rename puts that new
    /// inode (and its mode) in place of the old file.
    public static func write(_ bytes: [UInt8], to path: String) throws(WharfError) {
        try FileSystem.remove(path + ".tmp")
        try FileSystem.writeFileAtomically(path, bytes)
    }
}
