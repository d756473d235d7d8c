import Foundation
import WharfCore

extension DataOptions {
    /// The data directory, created owner-only (0700) when it is missing, for the commands that
    /// only keep a file in it (`wharf user`, `wharf acl`) and so never open the engine.
    func createdDirectory() throws -> String {
        if !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: OwnerOnly.directoryAttributes)
        }
        return directory
    }
}
