import WharfCore

extension Projection {
    /// Rebuilds it (`rebuild`) and waits, polling every `poll`, until the replay reached the
    /// source's head and nothing is left to apply. `progress` sees the status with its percent
    /// at the first poll, at each further 10%, and at every poll once the rebuild target was
    /// reached (while the last events drain). A fault ends the wait with an error naming it;
    /// the projection is left open (the caller closes it).
    public func rebuildToHead(poll: Duration = .milliseconds(20),
                              progress: (ProjectionStatus, _ percent: Int) -> Void) async throws -> ProjectionStatus {
        try await rebuild()
        var shown = -1
        while true {
            let s = status
            if let fault = s.state.faultMessage { throw WharfError.io("rebuild of \(name) failed: \(fault)") }
            let percent = Int((s.rebuild?.fraction ?? 1) * 100)
            if percent / 10 != shown / 10 || s.rebuild == nil {
                progress(s, percent)
                shown = percent
            }
            if s.rebuild == nil && s.lag.events == 0 { return s }
            try await Task.sleep(for: poll)
        }
    }
}
