import WharfEngine

/// Link addresses as the SDKs write them (reference §3.1): `amqps://host[:port]/q1` (Python),
/// `/q1` (.NET), `q1/$management`, `$cbs`, `q1/$DeadLetterQueue`. Only the path counts.
enum ServiceBusAddress {
    /// The entity path of an address: scheme and authority dropped, leading `/` stripped.
    static func path(_ address: String) -> String {
        var s = Substring(address)
        if let scheme = s.range(of: "://") {
            s = s[scheme.upperBound...]
            s = s.firstIndex(of: "/").map { s[s.index(after: $0)...] } ?? ""
        }
        while s.hasPrefix("/") { s = s.dropFirst() }
        return String(s)
    }

    static let cbs = "$cbs"
    static let managementSuffix = "/$management"

    /// The entity a `$management` address belongs to, or nil.
    static func managedEntity(_ path: String) -> String? {
        guard path.lowercased().hasSuffix(managementSuffix) else { return nil }
        return String(path.dropLast(managementSuffix.count))
    }

    /// The engine's spelling of an entity path (`q1/$DeadLetterQueue` -> `q1/$deadletterqueue`,
    /// `t/subscriptions/s` -> `t/Subscriptions/s`).
    static func entity(_ path: String) -> String {
        let (queue, dead) = QueueNames.parse(path)
        let canonical = SubscriptionNames.canonical(queue)
        return dead ? QueueNames.deadLetter(of: canonical) : canonical
    }
}
