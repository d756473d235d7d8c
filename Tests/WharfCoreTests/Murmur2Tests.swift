import Testing
@testable import WharfCore

@Suite struct Murmur2Tests {
    // Apache Kafka's UtilsTest.testMurmur2 vectors: placement must match the Java client exactly.
    @Test(arguments: [
        ("21", Int32(-973_932_308)),
        ("foobar", -790_332_482),
        ("a-little-bit-long-string", -985_981_536),
        ("a-little-bit-longer-string", -1_486_304_829),
        ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
        ("abc", 479_470_107),
        ("", 275_646_681),
    ])
    func kafkaVectors(input: String, expected: Int32) {
        #expect(Murmur2.hash(Array(input.utf8)) == expected)
    }

    @Test func partitionIsToPositiveModulo() {
        // toPositive(-790332482) = 1357151166; 1357151166 % 50 = 16 (as Kafka's producer computes).
        #expect(Murmur2.partition(forKey: Array("foobar".utf8), partitions: 50) == 16)
        for n in Int32(1)...64 {
            let p = Murmur2.partition(forKey: Array("key-\(n)".utf8), partitions: n)
            #expect(p >= 0 && p < n)
        }
    }
}
