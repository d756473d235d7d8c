import WharfCore

/// One decoded request: its header and typed body.
///
/// A server decodes each frame payload (the bytes after the int32 size, see
/// `KafkaFrameDecoder`) with `KafkaRequest.decode(_:supported:)`, switches on `body`, and
/// answers with `KafkaResponse.encode(correlationId:version:body:)` at `header.requestApiVersion`.
public struct KafkaRequest: Sendable, Equatable {
    public var header: RequestHeader
    public var body: KafkaRequestBody

    public init(header: RequestHeader, body: KafkaRequestBody) {
        self.header = header
        self.body = body
    }

    public var apiKey: ApiKey { body.apiKey }
    public var apiVersion: Int16 { header.requestApiVersion }
    public var correlationId: Int32 { header.correlationId }

    /// Request header v2 for flexible request versions, else v1 (`client_id` stays a
    /// non-compact nullable string in both).
    public static func headerVersion(apiKey: ApiKey, apiVersion: Int16) -> Int16 {
        apiKey.isFlexible(version: apiVersion) ? 2 : 1
    }

    /// Decodes a request frame payload. Throws `KafkaRequestError`, which carries the
    /// correlation id whenever the header's first 8 bytes were there, so the server can answer
    /// (or log and close). Bytes after the body are ignored, as Kafka does.
    public static func decode(_ payload: [UInt8], supported: ApiVersionRanges = .firstVersion) throws(KafkaRequestError) -> KafkaRequest {
        try payload.withByteReader { (reader: inout ByteReader) throws(KafkaRequestError) -> KafkaRequest in
            try decode(from: &reader, supported: supported)
        }
    }

    public static func decode(from reader: inout ByteReader, supported: ApiVersionRanges = .firstVersion) throws(KafkaRequestError) -> KafkaRequest {
        var peek = reader
        let rawKey: Int16
        let version: Int16
        let correlationId: Int32
        do {
            rawKey = try peek.readInt16()
            version = try peek.readInt16()
            correlationId = try peek.readInt32()
        } catch {
            throw .malformed(correlationId: nil, error)
        }
        guard let apiKey = ApiKey(rawValue: rawKey) else {
            throw .unknownApiKey(apiKey: rawKey, apiVersion: version, correlationId: correlationId)
        }
        guard supported.contains(apiKey, version: version), apiKey.schemaVersions.contains(version) else {
            throw .unsupportedVersion(apiKey: apiKey, apiVersion: version, correlationId: correlationId)
        }
        do {
            let header = try RequestHeader(from: &reader, version: headerVersion(apiKey: apiKey, apiVersion: version))
            let body = try KafkaRequestBody(apiKey: apiKey, version: version, from: &reader)
            return KafkaRequest(header: header, body: body)
        } catch {
            throw .malformed(correlationId: correlationId, error)
        }
    }

    /// Whether the client waits for an answer: every request but Produce with acks=0.
    public var expectsResponse: Bool {
        if case .produce(let produce) = body { return produce.acks != 0 }
        return true
    }

    /// The response frame answering this request: its correlation id, its version, the header
    /// version that goes with them. `Body` must be this request's response type.
    public func responseFrame<Body: KafkaResponseMessage>(_ response: Body) throws(WharfError) -> [UInt8] {
        precondition(Body.apiKey == apiKey, "a \(Body.self) does not answer a \(apiKey) request")
        return try KafkaResponse.encode(correlationId: correlationId, version: apiVersion, body: response)
    }

    /// The frame payload (header and body, without the size), as a client sends it.
    public func encodedPayload() -> [UInt8] {
        var out: [UInt8] = []
        var header = self.header
        header.requestApiKey = apiKey.rawValue
        header.encode(into: &out, version: Self.headerVersion(apiKey: apiKey, apiVersion: apiVersion))
        body.encode(into: &out, version: apiVersion)
        return out
    }

    /// The whole frame: int32 size, then the payload.
    public func encodedFrame() -> [UInt8] {
        KafkaFrameDecoder.frame(encodedPayload())
    }
}

/// Why a request frame could not be decoded, with what the server needs to react.
public enum KafkaRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An API key this module does not know. Kafka closes the connection.
    case unknownApiKey(apiKey: Int16, apiVersion: Int16, correlationId: Int32)
    /// A known API at a version outside the supported ranges. For ApiVersions answer with
    /// `responseFrame(supported:)` (KIP-511); for others Kafka closes the connection.
    case unsupportedVersion(apiKey: ApiKey, apiVersion: Int16, correlationId: Int32)
    /// Bytes that do not parse; the correlation id is nil when even the header was short.
    case malformed(correlationId: Int32?, WharfError)

    public var correlationId: Int32? {
        switch self {
        case .unknownApiKey(_, _, let id), .unsupportedVersion(_, _, let id): id
        case .malformed(let id, _): id
        }
    }

    /// The frame to send back, if the protocol has one: the KIP-511 ApiVersions fallback.
    /// nil means: log, and close the connection.
    public func responseFrame(supported: ApiVersionRanges = .firstVersion) -> [UInt8]? {
        if case .unsupportedVersion(.apiVersions, _, let correlationId) = self {
            return try? supported.unsupportedApiVersionsFrame(correlationId: correlationId)
        }
        return nil
    }

    public var description: String {
        switch self {
        case .unknownApiKey(let key, let version, let id):
            "unknown API key \(key) (version \(version), correlation id \(id))"
        case .unsupportedVersion(let key, let version, let id):
            "unsupported version \(version) of \(key) (correlation id \(id))"
        case .malformed(let id, let error):
            "malformed request (correlation id \(id.map(String.init) ?? "unknown")): \(error)"
        }
    }
}
