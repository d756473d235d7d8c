import WharfCore
import WharfEvents

extension ProjectionRegistry {
    /// Whether this binary can rebuild the projection `name` itself: its definition is one of
    /// `BuiltInProjections` (an application's own is rebuilt by that application).
    public func isBuiltIn(named name: String) -> Bool {
        registration(named: name).flatMap { BuiltInProjections.definition(id: $0.definition, name: name) } != nil
    }

    /// `wharf projection rebuild`: a built-in projection's read model is emptied and its source
    /// replayed here, to the head (`Projection.rebuildToHead`, `progress` seeing each step), and
    /// its status afterwards returned; for one an application defines, the rebuild is requested
    /// (`requestRebuild`) and nil returned.
    public func rebuild(named name: String, store: EventStore,
                        progress: (ProjectionStatus, _ percent: Int) -> Void) async throws -> ProjectionStatus? {
        guard let entry = registration(named: name) else { throw WharfError.invalidArgument("no projection named '\(name)'") }
        guard let definition = BuiltInProjections.definition(id: entry.definition, name: name) else {
            try requestRebuild(named: name)
            return nil
        }
        let projection = try Projection.open(definition, databasePath: entry.database, store: store, registry: self)
        do { _ = try await projection.rebuildToHead(progress: progress) } catch {
            await projection.close()
            throw error
        }
        await projection.close()
        return projection.status
    }
}
