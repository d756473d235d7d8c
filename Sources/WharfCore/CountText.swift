/// "1 partition", "3 partitions": a count with its noun in the right number. One rule for the
/// CLI's output and the dashboard's status lines.
public enum CountText {
    /// `plural` is for nouns that do not just take an "s".
    public static func of<N: BinaryInteger>(_ n: N, _ singular: String, plural: String? = nil) -> String {
        "\(n) " + (n == 1 ? singular : plural ?? singular + "s")
    }
}
