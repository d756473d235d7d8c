import WharfCore

/// Encoding (server side) and decoding (client side, tests) of response frames.
public enum KafkaResponse {
    /// Response header v1 (with tagged fields) for flexible versions, else v0; ApiVersions
    /// responses always use v0 so a client can read them before it knows our versions.
    public static func headerVersion(apiKey: ApiKey, apiVersion: Int16) -> Int16 {
        if apiKey == .apiVersions { return 0 }
        return apiKey.isFlexible(version: apiVersion) ? 1 : 0
    }

    /// A whole response frame: int32 size, header, body encoded at `version`. Throws when the
    /// answer is too large for the int32 size (the broker bounds its answers far below that).
    public static func encode<Body: KafkaResponseMessage>(correlationId: Int32, version: Int16, body: Body) throws(WharfError) -> [UInt8] {
        var out: [UInt8] = [0, 0, 0, 0]
        ResponseHeader(correlationId: correlationId).encode(into: &out, version: headerVersion(apiKey: Body.apiKey, apiVersion: version))
        body.encode(into: &out, version: version)
        try setFrameSize(&out, apiKey: Body.apiKey)
        return out
    }

    /// A whole response frame for any body.
    public static func encode(correlationId: Int32, version: Int16, body: KafkaResponseBody) throws(WharfError) -> [UInt8] {
        var out: [UInt8] = [0, 0, 0, 0]
        ResponseHeader(correlationId: correlationId).encode(into: &out, version: headerVersion(apiKey: body.apiKey, apiVersion: version))
        body.encode(into: &out, version: version)
        try setFrameSize(&out, apiKey: body.apiKey)
        return out
    }

    private static func setFrameSize(_ frame: inout [UInt8], apiKey: ApiKey) throws(WharfError) {
        guard let size = Int32(exactly: frame.count - 4) else {
            throw .invalidArgument("a \(apiKey) response of \(frame.count - 4) bytes does not fit a Kafka frame (at most \(Int32.max))")
        }
        frame.setBigEndian(size, at: 0)
    }

    /// Decodes a response frame payload (after the size) of the request `apiKey`/`version`.
    public static func decode(_ payload: [UInt8], apiKey: ApiKey, version: Int16) throws(WharfError) -> (correlationId: Int32, body: KafkaResponseBody) {
        guard apiKey.schemaVersions.contains(version) else { throw .malformed("no codec for \(apiKey) version \(version)") }
        return try payload.withByteReader { (reader: inout ByteReader) throws(WharfError) -> (correlationId: Int32, body: KafkaResponseBody) in
            let header = try ResponseHeader(from: &reader, version: headerVersion(apiKey: apiKey, apiVersion: version))
            let body = try KafkaResponseBody(apiKey: apiKey, version: version, from: &reader)
            return (header.correlationId, body)
        }
    }
}
