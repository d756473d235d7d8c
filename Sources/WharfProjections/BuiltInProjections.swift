/// Projections the `wharf` binary can run itself (so it can rebuild them offline), by the
/// definition id their registration records. One an application defines is not here: its
/// rebuild is requested in the registry and runs in that application.
public enum BuiltInProjections {
    public static func definition(id: String?, name: String) -> ProjectionDefinition? {
        switch id {
        case AccountBalances.definitionId?: AccountBalances.definition(name: name)
        default: nil
        }
    }
}
