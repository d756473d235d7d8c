import Testing
@testable import WharfCore

@Suite struct CRC32CTests {
    // Known vectors from RFC 3720 appendix B.4 and the common "123456789" check value.
    @Test func knownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xff, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum(Array(0...31)) == 0x46DD_794E)
        #expect(CRC32C.checksum(Array((0...31).reversed())) == 0x113F_DB5C)
        #expect(CRC32C.checksum([]) == 0)
    }

    @Test func hardwareAndTableAgreeOnEveryLength() {
        var rng = SystemRandomNumberGenerator()
        for length in 0..<300 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(CRC32C.checksum(bytes) == CRC32C.softwareChecksum(bytes), "length \(length)")
        }
    }

    @Test func continuingEqualsOneShot() {
        let bytes = Array("The quick brown fox jumps over the lazy dog".utf8)
        let whole = CRC32C.checksum(bytes)
        let first = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[..<10])) }
        let rest = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[10...]), continuing: first) }
        #expect(rest == whole)
    }
}
