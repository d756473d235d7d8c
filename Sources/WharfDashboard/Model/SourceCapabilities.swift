import WharfAdmin

/// What the connected source can do: the set every `ClusterSource` declares (WharfAdmin), so the
/// dashboard and the sources share one definition.
public typealias SourceCapabilities = WharfAdmin.SourceCapabilities
