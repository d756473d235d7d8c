extension ConnectionSession {
    /// The client's IP address, which ACL hosts are compared with (Kafka compares
    /// `InetAddress.getHostAddress`). `peer` is SwiftNIO's `SocketAddress` description:
    /// `[IPv4]192.0.2.1:port`, or `[IPv4]name/192.0.2.1:port` when it knows a host name (IPv6
    /// alike): the address is what follows the `[...]` tag and any `name/`, up to the last `:`.
    /// Anything else (a test's "?") is kept whole and matches only `*`.
    var clientHost: String {
        guard peer.hasPrefix("["), let tagEnd = peer.firstIndex(of: "]") else { return peer }
        var address = peer[peer.index(after: tagEnd)...]
        if let slash = address.firstIndex(of: "/") { address = address[address.index(after: slash)...] }
        guard let colon = address.lastIndex(of: ":") else { return peer }
        return String(address[..<colon])
    }
}
