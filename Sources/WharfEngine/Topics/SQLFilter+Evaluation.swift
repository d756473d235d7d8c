import Foundation

/// Evaluation with SQL's three-valued logic: NULL operands make comparisons unknown (`.null`),
/// AND/OR/NOT follow the SQL truth tables, and the filter matches only on `.bool(true)`.
/// Properties sent as numbers or booleans are typed (`ApplicationPropertyType`); a string (or an
/// untyped property, as Wharf's CLI sends them) compared with a number is one when it reads as
/// one (`priority > 3` works for "5"): Wharf's choice where Service Bus's rules are not written down.
extension SQLNode {
    func evaluate(_ m: FilterableMessage) -> SQLValue {
        switch self {
        case .literal(let v): return v
        case .property(let p): return Self.value(of: p, in: m)
        case .exists(let p): return .bool((p.isSystem ? m.system(p.name) : m.property(p.name)) != nil)
        case .negate(let inner):
            guard let n = inner.evaluate(m).number else { return .null }
            return .number(-n)
        case .arithmetic(let op, let l, let r):
            guard let a = l.evaluate(m).number, let b = r.evaluate(m).number else {
                if op == .add, case .string(let a) = l.evaluate(m), case .string(let b) = r.evaluate(m) { return .string(a + b) }
                return .null
            }
            let result: Double
            switch op {
            case .add: result = a + b
            case .sub: result = a - b
            case .mul: result = a * b
            case .div: guard b != 0 else { return .null }; result = a / b
            case .mod: guard b != 0 else { return .null }; result = a.truncatingRemainder(dividingBy: b)
            }
            return result.isFinite ? .number(result) : .null
        case .compare(let op, let l, let r):
            guard let order = Self.order(l.evaluate(m), r.evaluate(m)) else { return .null }
            switch op {
            case .eq: return .bool(order == 0)
            case .ne: return .bool(order != 0)
            case .lt: return .bool(order < 0)
            case .le: return .bool(order <= 0)
            case .gt: return .bool(order > 0)
            case .ge: return .bool(order >= 0)
            }
        case .isNull(let inner, let negated):
            return .bool((inner.evaluate(m) == .null) != negated)
        case .inList(let inner, let items, let negated):
            let v = inner.evaluate(m)
            guard v != .null else { return .null }
            var sawNull = false
            for item in items {
                switch Self.order(v, item.evaluate(m)) {
                case 0?: return .bool(!negated)
                case nil: sawNull = true
                default: break
                }
            }
            return sawNull ? .null : .bool(negated)
        case .like(let inner, let pattern, let escape, let negated):
            guard case .string(let s) = inner.evaluate(m) else { return .null }
            return .bool(Self.like(Array(s), pattern, escape: escape) != negated)
        case .not(let inner):
            guard case .bool(let b) = inner.evaluate(m) else { return .null }
            return .bool(!b)
        case .and(let l, let r):
            let a = l.evaluate(m).truth, b = r.evaluate(m).truth
            if a == false || b == false { return .bool(false) }
            return a == true && b == true ? .bool(true) : .null
        case .or(let l, let r):
            let a = l.evaluate(m).truth, b = r.evaluate(m).truth
            if a == true || b == true { return .bool(true) }
            return a == false && b == false ? .bool(false) : .null
        }
    }

    /// A property's value with its type: numbers sent as numbers are numbers (so `LIKE` does not
    /// match them, as in Service Bus), booleans booleans, a property sent as null is NULL, and
    /// strings (and every other type: timestamps, uuids, binary, in their canonical text) text.
    static func value(of p: SQLProperty, in m: FilterableMessage) -> SQLValue {
        guard let text = p.isSystem ? m.system(p.name) : m.property(p.name) else { return .null }
        switch p.isSystem ? nil : m.propertyType(p.name) {
        case .null?: return .null
        case .bool?: return .bool(text == "true")
        case let type? where type.isNumeric: return Double(text).map { .number($0) } ?? .string(text)
        default: return .string(text)
        }
    }

    /// -1, 0, 1, or nil when either side is NULL or the two cannot be compared.
    static func order(_ a: SQLValue, _ b: SQLValue) -> Int? {
        switch (a, b) {
        case (.null, _), (_, .null): return nil
        case (.string(let x), .string(let y)): return x == y ? 0 : (x < y ? -1 : 1)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (!x ? -1 : 1)
        case (.bool(let x), .string(let s)), (.string(let s), .bool(let x)):
            guard let y = Bool(s.lowercased()) else { return nil }
            return x == y ? 0 : 1
        default:
            guard let x = a.number, let y = b.number else { return nil }
            return x == y ? 0 : (x < y ? -1 : 1)
        }
    }

    /// SQL LIKE: `%` any run, `_` one character, `escape` makes the next one literal. Iterative
    /// with one backtrack point (the last `%`), so the cost is at most text × pattern.
    static func like(_ text: [Character], _ pattern: [Character], escape: Character?) -> Bool {
        // Pattern as (character, isWildcard) pairs after escapes.
        var items: [(Character, Bool)] = []
        var i = 0
        while i < pattern.count {
            if let e = escape, pattern[i] == e, i + 1 < pattern.count {
                items.append((pattern[i + 1], false))
                i += 2
            } else {
                items.append((pattern[i], pattern[i] == "%" || pattern[i] == "_"))
                i += 1
            }
        }
        var t = 0, p = 0
        var star: Int?, mark = 0
        while t < text.count {
            if p < items.count, items[p].1, items[p].0 == "%" {
                star = p
                mark = t
                p += 1
            } else if p < items.count, items[p].1 ? items[p].0 == "_" : items[p].0 == text[t] {
                t += 1
                p += 1
            } else if let s = star {
                p = s + 1
                mark += 1
                t = mark
            } else {
                return false
            }
        }
        while p < items.count, items[p].1, items[p].0 == "%" { p += 1 }
        return p == items.count
    }
}

extension SQLValue {
    var number: Double? {
        switch self {
        case .number(let n): n
        case .string(let s): Double(s.trimmingCharacters(in: .whitespaces)).flatMap { $0.isFinite ? $0 : nil }
        default: nil
        }
    }

    var truth: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
}
