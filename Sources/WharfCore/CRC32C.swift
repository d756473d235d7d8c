import CWharfCRC

/// CRC-32C (Castagnoli), the checksum of Kafka's RecordBatch v2 (bytes 21 to the end of a batch).
/// Backed by the CPU's crc32 instruction where present, else a slicing-by-8 table (CWharfCRC).
public enum CRC32C {
    public static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        wharf_crc32c(crc, bytes.baseAddress, bytes.count)
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    /// The table-driven path alone (tests compare it with the hardware path).
    public static func softwareChecksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { wharf_crc32c_sw(0, $0.baseAddress, $0.count) }
    }

    public static var usesHardware: Bool { wharf_crc32c_hw_available() != 0 }
}
