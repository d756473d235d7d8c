extension ConnectionSession {
    /// The client's IP address, which ACL hosts are compared with (Kafka compares
    /// `InetAddress.getHostAddress`). `peer` is SwiftNIO's `SocketAddress` description,
    /// `[IPv4]host/192.0.2.1:port` or `[IPv6]host/2001:db8::1:port`: the text between the first
    /// `/` and the last `:`. Anything else (a test's "?") is kept whole and matches only `*`.
    var clientHost: String {
        guard let slash = peer.firstIndex(of: "/"), let colon = peer.lastIndex(of: ":"), slash < colon else { return peer }
        return String(peer[peer.index(after: slash)..<colon])
    }
}
