/// Maps theme colours onto what the terminal has: 256, 16 or 8 colours (or none).
public enum ColorMapper {
    /// xterm's default RGB for the 16 ANSI colours.
    static let ansiRGB: [(Int, Int, Int)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]
    static let cubeLevels = [0, 95, 135, 175, 215, 255]

    /// The colour number for curses `init_pair`: -1 for the terminal default, else 0..<colors.
    public static func index(for color: ThemeColor, colors: Int) -> Int {
        if colors < 8 { return -1 }
        switch color {
        case .terminalDefault: return -1
        case .ansi(let n): return colors >= 16 ? Int(n) : Int(n % 8)
        case .indexed(let n):
            if colors >= 256 || Int(n) < min(colors, 16) { return colors >= 16 ? Int(n) : Int(n % 8) }
            let (r, g, b) = rgb(ofIndex: Int(n))
            return nearestANSI(r, g, b, count: colors >= 16 ? 16 : 8)
        case .rgb(let r, let g, let b):
            if colors >= 256 { return nearest256(Int(r), Int(g), Int(b)) }
            return nearestANSI(Int(r), Int(g), Int(b), count: colors >= 16 ? 16 : 8)
        }
    }

    /// Nearest xterm-256 colour among the 6x6x6 cube and the 24 greys (the first 16 are
    /// skipped: terminals redefine them).
    public static func nearest256(_ r: Int, _ g: Int, _ b: Int) -> Int {
        func level(_ v: Int) -> Int {
            var best = 0
            for i in 1..<6 where abs(cubeLevels[i] - v) < abs(cubeLevels[best] - v) { best = i }
            return best
        }
        let (ri, gi, bi) = (level(r), level(g), level(b))
        let cube = 16 + 36 * ri + 6 * gi + bi
        let cubeDist = distance((cubeLevels[ri], cubeLevels[gi], cubeLevels[bi]), (r, g, b))
        let avg = (r + g + b) / 3
        let grayIndex = min(23, max(0, (avg - 8 + 5) / 10))
        let gv = 8 + 10 * grayIndex
        let grayDist = distance((gv, gv, gv), (r, g, b))
        return grayDist < cubeDist ? 232 + grayIndex : cube
    }

    static func nearestANSI(_ r: Int, _ g: Int, _ b: Int, count: Int) -> Int {
        var best = 0
        var bestDist = Int.max
        for i in 0..<count {
            let d = distance(ansiRGB[i], (r, g, b))
            if d < bestDist { bestDist = d; best = i }
        }
        return best
    }

    static func rgb(ofIndex n: Int) -> (Int, Int, Int) {
        if n < 16 { return ansiRGB[n] }
        if n >= 232 { let v = 8 + 10 * (n - 232); return (v, v, v) }
        let c = n - 16
        return (cubeLevels[c / 36], cubeLevels[c / 6 % 6], cubeLevels[c % 6])
    }

    /// Squared distance weighted for perceived brightness (red 2, green 4, blue 3).
    static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        let dr = a.0 - b.0, dg = a.1 - b.1, db = a.2 - b.2
        return 2 * dr * dr + 4 * dg * dg + 3 * db * db
    }
}
