import WharfAMQP

extension ServerUnderTest {
    /// Liveness of the fuzzed listener, from a fresh connection, within `timeoutMs`.
    func probe(_ target: FuzzProtocol, timeoutMs: Int) -> Bool {
        switch target {
        case .kafka: return probe(timeoutMs: timeoutMs)
        case .amqp: return probeAMQP(timeoutMs: timeoutMs)
        case .grpc: return probeGRPC(timeoutMs: timeoutMs)
        }
    }

    /// SASL ANONYMOUS, then an AMQP open: the server must answer with its own open.
    private func probeAMQP(timeoutMs: Int) -> Bool {
        guard let port = port(for: .amqp), let socket = try? FuzzSocket(host: host, port: port, timeoutMs: timeoutMs) else { return false }
        let saslInit = AMQPFrame(type: AMQPFrame.typeSASL, channel: 0,
                                 performative: SASLFrame.initial(mechanism: "ANONYMOUS", response: nil, hostname: host).value).encoded()
        let open = AMQPFrame(channel: 0, performative: Open(containerId: "wharf-fuzz-probe", hostname: host).value).encoded()
        guard socket.send(AMQPProtocolHeader.sasl.bytes + saslInit + AMQPProtocolHeader.amqp.bytes + open) else { return false }
        // The open performative's descriptor: 00 53 10 (after the server's protocol header).
        let answer = socket.readUntil(maxMs: timeoutMs) { Self.contains($0, [0x00, 0x53, 0x10]) }
        return Self.contains(answer.bytes, [0x00, 0x53, 0x10])
    }

    /// A unary gRPC call (ServerFeatures.GetSupportedMethods): the server must answer with
    /// HEADERS on the call's stream.
    private func probeGRPC(timeoutMs: Int) -> Bool {
        guard let port = port(for: .grpc), let socket = try? FuzzSocket(host: host, port: port, timeoutMs: timeoutMs) else { return false }
        let request = H2Frame.preface + H2Frame.settings([]) + H2Frame.headers(stream: 1, block: HPACKLiteral.request(path: H2Scripts.probePath))
            + H2Frame.data(stream: 1, payload: H2Scripts.grpcMessage([]), endStream: true)
        guard socket.send(request) else { return false }
        let answer = socket.readUntil(maxMs: timeoutMs) { H2Frame.hasHeaders(onStream: 1, in: $0) }
        return H2Frame.hasHeaders(onStream: 1, in: answer.bytes)
    }

    static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        guard bytes.count >= needle.count else { return false }
        return (0...(bytes.count - needle.count)).contains { i in bytes[i..<(i + needle.count)].elementsEqual(needle) }
    }
}
