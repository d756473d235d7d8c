import Foundation
import WharfCore

/// Points fd 2 at a log file for as long as curses draws on the terminal (anything written to
/// stderr would tear the screen), then puts the terminal back.
struct StderrRedirect {
    private let saved: Int32

    init(to path: String) {
        saved = dup(2)
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, OwnerOnly.fileMode)
        if fd >= 0 {
            dup2(fd, 2)
            close(fd)
        }
    }

    func restore() {
        guard saved >= 0 else { return }
        dup2(saved, 2)
        close(saved)
    }
}
