import WharfCore

/// Recursive descent over `SQLToken`s (grammar in `SQLFilter`). Nesting through parentheses,
/// NOT and unary signs is limited to `SQLFilter.maxDepth`, so hostile input cannot exhaust the stack.
struct SQLParser {
    let tokens: [SQLToken]
    var position = 0
    var depth = 0

    init(tokens: [SQLToken]) { self.tokens = tokens }

    mutating func parseWhole() throws(WharfError) -> SQLNode {
        guard !tokens.isEmpty else { throw .invalidArgument("SQL filter: empty expression") }
        let node = try parseOr()
        guard position == tokens.count else { throw .invalidArgument("SQL filter: unexpected \(describe(tokens[position])) at token \(position + 1)") }
        return node
    }

    // MARK: - Boolean structure

    mutating func parseOr() throws(WharfError) -> SQLNode {
        var node = try parseAnd()
        while takeKeyword("OR") { node = .or(node, try parseAnd()) }
        return node
    }

    mutating func parseAnd() throws(WharfError) -> SQLNode {
        var node = try parseNot()
        while takeKeyword("AND") { node = .and(node, try parseNot()) }
        return node
    }

    mutating func parseNot() throws(WharfError) -> SQLNode {
        guard takeKeyword("NOT") else { return try parseComparison() }
        return try nested { (p: inout SQLParser) throws(WharfError) in .not(try p.parseNot()) }
    }

    mutating func parseComparison() throws(WharfError) -> SQLNode {
        let left = try parseSum()
        if case .symbol(let s)? = peek, let op = SQLNode.Comparison(rawValue: s == "!=" ? "<>" : s) {
            position += 1
            return .compare(op, left, try parseSum())
        }
        if takeKeyword("IS") {
            let negated = takeKeyword("NOT")
            guard takeKeyword("NULL") else { throw .invalidArgument("SQL filter: IS must be followed by [NOT] NULL") }
            return .isNull(left, negated: negated)
        }
        let negated = takeKeyword("NOT")
        if takeKeyword("IN") {
            try expect("(")
            var items = [try parseSum()]
            while takeSymbol(",") { items.append(try parseSum()) }
            try expect(")")
            return .inList(left, items, negated: negated)
        }
        if takeKeyword("LIKE") {
            guard case .string(let pattern)? = take() else { throw .invalidArgument("SQL filter: LIKE needs a 'pattern' string") }
            var escape: Character?
            if takeKeyword("ESCAPE") {
                guard case .string(let e)? = take(), e.count == 1 else { throw .invalidArgument("SQL filter: ESCAPE needs a one-character string") }
                escape = e.first
            }
            return .like(left, pattern: Array(pattern), escape: escape, negated: negated)
        }
        if negated { throw .invalidArgument("SQL filter: NOT here must be followed by IN or LIKE") }
        return left
    }

    // MARK: - Values

    mutating func parseSum() throws(WharfError) -> SQLNode {
        var node = try parseProduct()
        while case .symbol(let s)? = peek, s == "+" || s == "-" {
            position += 1
            node = .arithmetic(s == "+" ? .add : .sub, node, try parseProduct())
        }
        return node
    }

    mutating func parseProduct() throws(WharfError) -> SQLNode {
        var node = try parseUnary()
        while case .symbol(let s)? = peek, let op = s.first.flatMap(SQLNode.Arithmetic.init(rawValue:)), s == "*" || s == "/" || s == "%" {
            position += 1
            node = .arithmetic(op, node, try parseUnary())
        }
        return node
    }

    mutating func parseUnary() throws(WharfError) -> SQLNode {
        if takeSymbol("-") { return try nested { (p: inout SQLParser) throws(WharfError) in .negate(try p.parseUnary()) } }
        if takeSymbol("+") { return try nested { (p: inout SQLParser) throws(WharfError) in try p.parseUnary() } }
        return try parsePrimary()
    }

    mutating func parsePrimary() throws(WharfError) -> SQLNode {
        guard let token = take() else { throw .invalidArgument("SQL filter: the expression ends too early") }
        switch token {
        case .number(let n): return .literal(.number(n))
        case .string(let s): return .literal(.string(s))
        case .quotedName(let n): return .property(SQLProperty(isSystem: false, name: n))
        case .symbol("("):
            let inner = try nested { (p: inout SQLParser) throws(WharfError) in try p.parseOr() }
            try expect(")")
            return inner
        case .symbol(let s): throw .invalidArgument("SQL filter: unexpected '\(s)'")
        case .name(let n):
            switch n.uppercased() {
            case "TRUE": return .literal(.bool(true))
            case "FALSE": return .literal(.bool(false))
            case "NULL": return .literal(.null)
            case "EXISTS":
                try expect("(")
                guard case .property(let p) = try parseProperty(first: take()) else { throw .invalidArgument("SQL filter: EXISTS needs a property") }
                try expect(")")
                return .exists(p)
            case "AND", "OR", "NOT", "IS", "IN", "LIKE", "ESCAPE":
                throw .invalidArgument("SQL filter: unexpected keyword \(n.uppercased())")
            default:
                return try parseProperty(first: token)
            }
        }
    }

    /// `name`, `sys.name`, `user.name` (either part may be `[bracketed]`).
    mutating func parseProperty(first: SQLToken?) throws(WharfError) -> SQLNode {
        let name: String
        switch first {
        case .name(let n)?: name = n
        case .quotedName(let n)?: name = n
        default: throw .invalidArgument("SQL filter: expected a property name")
        }
        let scope = name.lowercased()
        if case .name = first, scope == "sys" || scope == "user", takeSymbol(".") {
            switch take() {
            case .name(let n)?, .quotedName(let n)?: return .property(SQLProperty(isSystem: scope == "sys", name: n))
            default: throw .invalidArgument("SQL filter: expected a property name after '\(name).'")
            }
        }
        return .property(SQLProperty(isSystem: false, name: name))
    }

    // MARK: - Token helpers

    var peek: SQLToken? { position < tokens.count ? tokens[position] : nil }

    mutating func take() -> SQLToken? {
        defer { if position < tokens.count { position += 1 } }
        return peek
    }

    mutating func takeKeyword(_ keyword: String) -> Bool {
        guard case .name(let n)? = peek, n.uppercased() == keyword else { return false }
        position += 1
        return true
    }

    mutating func takeSymbol(_ symbol: String) -> Bool {
        guard case .symbol(let s)? = peek, s == symbol else { return false }
        position += 1
        return true
    }

    mutating func expect(_ symbol: String) throws(WharfError) {
        guard takeSymbol(symbol) else {
            throw .invalidArgument("SQL filter: expected '\(symbol)'" + (peek.map { " before \(describe($0))" } ?? " at the end"))
        }
    }

    mutating func nested(_ body: (inout SQLParser) throws(WharfError) -> SQLNode) throws(WharfError) -> SQLNode {
        guard depth < SQLFilter.maxDepth else { throw .invalidArgument("SQL filter: nested more than \(SQLFilter.maxDepth) levels deep") }
        depth += 1
        defer { depth -= 1 }
        return try body(&self)
    }

    func describe(_ t: SQLToken) -> String {
        switch t {
        case .name(let n): "'\(n)'"
        case .quotedName(let n): "[\(n)]"
        case .string(let s): "'\(s)'"
        case .number(let n): "\(n)"
        case .symbol(let s): "'\(s)'"
        }
    }
}
