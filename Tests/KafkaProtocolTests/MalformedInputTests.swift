import Testing
import WharfCore
import WharfTestSupport
@testable import KafkaProtocol

/// Truncated and garbage input must throw `WharfError.malformed`, never trap.
@Suite(.heavy) struct MalformedInputTests {
    @Test(arguments: MessageCase.all)
    func everyTruncationThrows(_ message: MessageCase) {
        let type = message.type
        for version in type.validVersions {
            Self.truncations(type, version: version)
        }
    }

    static func truncations<T: SampledMessage>(_: T.Type, version: Int16) {
        let bytes = T.sample(version: version, variant: 0).encoded(version: version)
        for length in 0..<bytes.count {
            let prefix = Array(bytes[0..<length])
            #expect(throws: WharfError.self, "\(T.self) v\(version) cut at \(length) of \(bytes.count)") {
                _ = try T(bytes: prefix, version: version)
            }
        }
    }

    /// Every prefix of every advertised request payload fails through the dispatch path with a
    /// `KafkaRequestError` (malformed, carrying the correlation id once the 8 bytes are there).
    @Test func truncatedRequestPayloadsThrow() {
        for payload in Self.validRequestPayloads() {
            for length in 0..<payload.count {
                do {
                    _ = try KafkaRequest.decode(Array(payload[0..<length]))
                    Issue.record("decoded a \(length)-byte prefix of a \(payload.count)-byte request")
                } catch {
                    guard case .malformed(let id, _) = error else { Issue.record("\(error)"); continue }
                    #expect(id == (length >= 8 ? 7 : nil))
                }
            }
        }
    }

    /// Over-long non-compact strings are cut to 32767 bytes, never a trap.
    @Test func overlongStringsAreCut() throws {
        let long = String(repeating: "x", count: 40_000)
        let bytes = FindCoordinatorRequest(key: long).encoded(version: 0)
        #expect(bytes.count == 2 + 32_767)
        #expect(try FindCoordinatorRequest(bytes: bytes, version: 0).key.utf8.count == 32_767)
        #expect(try FindCoordinatorRequest(bytes: FindCoordinatorRequest(key: long).encoded(version: 3), version: 3).key == long)
    }

    /// Mutated valid request frames through the whole dispatch path: every outcome is a value
    /// or a `KafkaRequestError`, and a decoded request re-encodes without trapping.
    @Test func mutatedRequestFramesNeverCrash() {
        var rng = SplitMix64(seed: 0x5EED)
        let seeds = Self.validRequestPayloads()
        #expect(seeds.count > 90)
        var decodedCount = 0
        var errorCount = 0
        for iteration in 0..<20_000 {
            var bytes = seeds[iteration % seeds.count]
            let mutations = Int.random(in: 1...4, using: &rng)
            for _ in 0..<mutations {
                guard !bytes.isEmpty else { break }
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<5, using: &rng) {
                case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes[at] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
                case 2: bytes.removeSubrange(at...)
                case 3: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: at)
                default: bytes[at] = [0x00, 0x7f, 0x80, 0xff][Int.random(in: 0..<4, using: &rng)]
                }
            }
            do {
                let request = try KafkaRequest.decode(bytes)
                _ = request.encodedPayload()
                decodedCount += 1
            } catch {
                errorCount += 1
            }
        }
        #expect(decodedCount > 0)
        #expect(errorCount > 0)
    }

    /// Mutated encodings of every message type (requests and responses) in every version,
    /// decoded directly: a value or `WharfError`, never a trap.
    @Test(arguments: MessageCase.all)
    func mutatedBodiesNeverCrash(_ message: MessageCase) {
        var rng = SplitMix64(seed: UInt64(message.index) &+ 0xF00D)
        let type = message.type
        for version in type.validVersions {
            Self.mutate(type, version: version, iterations: 60, rng: &rng)
        }
    }

    static func mutate<T: SampledMessage>(_: T.Type, version: Int16, iterations: Int, rng: inout SplitMix64) {
        let valid = T.sample(version: version, variant: 0).encoded(version: version)
        for _ in 0..<iterations {
            var bytes = valid
            guard !bytes.isEmpty else { return }
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[at] = Bool.random(using: &rng) ? UInt8.random(in: 0...255, using: &rng) : bytes[at] ^ 0x80
            }
            if let value = try? T(bytes: bytes, version: version) {
                _ = value.encoded(version: version)
                _ = value.droppedFields(version: version)
            }
        }
    }

    /// Pure random bytes of random lengths, with a valid-looking header prefix half the time.
    @Test func randomGarbageNeverCrashes() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<20_000 {
            let count = Int.random(in: 0..<64, using: &rng)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if Bool.random(using: &rng) && bytes.count >= 4 {
                let key = ApiKey.allCases.randomElement(using: &rng)!
                bytes[0] = UInt8(truncatingIfNeeded: key.rawValue >> 8)
                bytes[1] = UInt8(truncatingIfNeeded: key.rawValue)
                bytes[2] = 0
                bytes[3] = UInt8(truncatingIfNeeded: key.schemaVersions.upperBound)
            }
            _ = try? KafkaRequest.decode(bytes, supported: Self.everything)
            for key in ApiKey.allCases {
                _ = try? KafkaResponse.decode(bytes, apiKey: key, version: key.schemaVersions.upperBound)
            }
        }
    }

    /// Every schema version of every API accepted, for the garbage tests.
    static let everything = ApiVersionRanges(Dictionary(uniqueKeysWithValues: ApiKey.allCases.map { ($0, $0.schemaVersions) }))

    static func validRequestPayloads() -> [[UInt8]] {
        var out: [[UInt8]] = []
        for type in allMessageTypes {
            collect(type, into: &out)
        }
        return out
    }

    static func collect<T: SampledMessage>(_: T.Type, into out: inout [[UInt8]]) {
        guard let request = T.self as? any KafkaRequestMessage.Type else { return }
        for version in T.validVersions where ApiVersionRanges.firstVersion.contains(request.apiKey, version: version) {
            let body = T.sample(version: version, variant: 0)
            var payload: [UInt8] = []
            let header = RequestHeader(requestApiKey: request.apiKey.rawValue, requestApiVersion: version, correlationId: 7, clientId: "fuzz")
            header.encode(into: &payload, version: KafkaRequest.headerVersion(apiKey: request.apiKey, apiVersion: version))
            body.encode(into: &payload, version: version)
            out.append(payload)
        }
    }
}
