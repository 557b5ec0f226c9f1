/// A regular expression with ECMA-262 syntax and semantics, as JSON Schema's `pattern` uses,
/// matched in linear time.
///
/// Supported: the JSON Schema interoperable subset (literals, `.`, classes `[a-z]` and
/// `[^…]`, groups `(…)`, `(?:…)`, `(?<name>…)`, alternation, `* + ? {n} {n,} {n,m}` and their
/// lazy forms, `^` and `$`), plus `\d \D \w \W \s \S \b \B`, control escapes, `\xHH`, `\uHHHH`,
/// `\u{…}` and `\cX`. Matching is over Unicode scalars (as with ECMA-262's `u` flag), `\d` and
/// `\w` are ASCII as in ECMA-262, and the pattern is unanchored unless it anchors itself.
///
/// Not supported, and reported when the spec is compiled: backreferences and lookaround. They
/// are what makes a regular expression engine backtrack; without them a Pike VM matches any
/// input in time proportional to its length times the pattern's size, so a `pattern` in a spec
/// can never freeze the server.
public struct ECMAPattern: Sendable {
    public let source: String
    private let program: [Instruction]
    /// `^[class]{min,max}$` (the commonest pattern shape), checked without the VM.
    private let wholeStringClass: (set: CharacterSet, min: Int, max: Int?)?

    /// The largest program a pattern may compile to (counted repetitions are expanded).
    public static let maxProgramSize = 20_000

    public init(_ source: String) throws(ECMAPatternError) {
        self.source = source
        var parser = PatternParser(Array(source.unicodeScalars))
        let tree = try parser.parse()
        var compiler = PatternCompiler()
        try compiler.emit(tree)
        compiler.program.append(.match)
        guard compiler.program.count <= Self.maxProgramSize else {
            throw ECMAPatternError(message: "the pattern is too large once its repetitions are expanded", offset: 0)
        }
        self.program = compiler.program
        if case .sequence(let items) = tree, items.count == 3, case .assertStart = items[0], case .assertEnd = items[2],
            case .repetition(let inner, let min, let max) = items[1]
        {
            switch inner {
            case .set(let set): wholeStringClass = (set, min, max)
            case .scalar(let scalar): wholeStringClass = (CharacterSet(ranges: [scalar.value...scalar.value]), min, max)
            default: wholeStringClass = nil
            }
        } else {
            wholeStringClass = nil
        }
    }

    /// Whether the pattern matches somewhere in `text`.
    public func matches(_ text: String) -> Bool {
        if let (set, min, max) = wholeStringClass {
            var count = 0
            for scalar in text.unicodeScalars {
                guard set.contains(scalar) else { return false }
                count += 1
            }
            return count >= min && count <= (max ?? Int.max)
        }
        var current = ThreadList(size: program.count)
        var next = ThreadList(size: program.count)
        var scalars = text.unicodeScalars.makeIterator()
        var scalar = scalars.next()
        var previous: Unicode.Scalar?
        var position = 0
        while true {
            // Unanchored search: a new thread starts at every position.
            add(0, in: &current, at: position, previous: previous, next: scalar)
            for pc in current.threads {
                switch program[pc] {
                case .match:
                    return true
                case .scalar(let expected):
                    if let scalar, scalar == expected { next.threads.append(pc + 1) }
                case .set(let set):
                    if let scalar, set.contains(scalar) { next.threads.append(pc + 1) }
                case .anyButNewline:
                    if let scalar, !CharacterSet.isLineTerminator(scalar) { next.threads.append(pc + 1) }
                default:
                    break
                }
            }
            guard let consumed = scalar else { return false }
            previous = consumed
            scalar = scalars.next()
            position += 1
            // Follow the survivors' jumps and assertions at the new position.
            let survivors = next.threads
            next.clear()
            current.clear()
            for pc in survivors {
                add(pc, in: &current, at: position, previous: previous, next: scalar)
            }
        }
    }

    /// Follows jumps, splits and assertions from `pc`, adding the threads that consume input.
    private func add(
        _ pc: Int, in list: inout ThreadList, at position: Int, previous: Unicode.Scalar?, next: Unicode.Scalar?
    ) {
        var stack = list.stack
        stack.append(pc)
        defer {
            stack.removeAll(keepingCapacity: true)
            list.stack = stack
        }
        while let pc = stack.popLast() {
            guard list.insert(pc) else { continue }
            switch program[pc] {
            case .jump(let target):
                stack.append(target)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .assertStart:
                if position == 0 { stack.append(pc + 1) }
            case .assertEnd:
                if next == nil { stack.append(pc + 1) }
            case .wordBoundary(let expected):
                let before = previous.map(CharacterSet.isWord) ?? false
                let after = next.map(CharacterSet.isWord) ?? false
                if (before != after) == expected { stack.append(pc + 1) }
            case .match, .scalar, .set, .anyButNewline:
                list.threads.append(pc)
            }
        }
    }
}

/// The threads alive at one position: each program counter visited at most once, and the
/// consuming ones kept in order.
private struct ThreadList {
    var threads: [Int] = []
    /// Scratch space for `add`, kept to avoid an allocation per step.
    var stack: [Int] = []
    private var visited: [Int] = []
    private var seen: [Bool]

    init(size: Int) {
        seen = [Bool](repeating: false, count: size)
        threads.reserveCapacity(size)
        visited.reserveCapacity(size)
    }

    var isEmpty: Bool { threads.isEmpty }

    /// False when `pc` was already visited at this position.
    mutating func insert(_ pc: Int) -> Bool {
        if seen[pc] { return false }
        seen[pc] = true
        visited.append(pc)
        return true
    }

    mutating func clear() {
        for pc in visited { seen[pc] = false }
        visited.removeAll(keepingCapacity: true)
        threads.removeAll(keepingCapacity: true)
    }
}

private struct PatternParser {
    let scalars: [Unicode.Scalar]
    var index = 0
    var groupDepth = 0

    init(_ scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    func error(_ message: String) -> ECMAPatternError {
        ECMAPatternError(message: message, offset: index)
    }

    var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    mutating func parse() throws(ECMAPatternError) -> PatternNode {
        let node = try parseAlternation()
        if index < scalars.count {
            throw error(current == ")" ? "unmatched ')'" : "unexpected '\(current!)'")
        }
        return node
    }

    mutating func parseAlternation() throws(ECMAPatternError) -> PatternNode {
        var branches = [try parseSequence()]
        while current == "|" {
            index += 1
            branches.append(try parseSequence())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    mutating func parseSequence() throws(ECMAPatternError) -> PatternNode {
        var items: [PatternNode] = []
        while let scalar = current, scalar != "|", scalar != ")" {
            let atom = try parseAtom()
            switch atom {
            case .assertStart, .assertEnd, .wordBoundary:
                items.append(atom)  // assertions take no quantifier
            default:
                items.append(try parseQuantifiers(atom))
            }
        }
        if let scalar = current, ["*", "+", "?"].contains(scalar) {
            throw error("nothing to repeat")
        }
        return items.count == 1 ? items[0] : .sequence(items)
    }

    mutating func parseQuantifiers(_ atom: PatternNode) throws(ECMAPatternError) -> PatternNode {
        var node = atom
        var quantified = false
        while let scalar = current {
            var bounds: (Int, Int?)?
            switch scalar {
            case "*": bounds = (0, nil); index += 1
            case "+": bounds = (1, nil); index += 1
            case "?": bounds = (0, 1); index += 1
            case "{":
                let saved = index
                if let counted = try parseBraces() {
                    bounds = counted
                } else {
                    index = saved
                    return node  // a literal '{' (ECMA-262 Annex B): the caller reads it as an atom
                }
            default:
                return node
            }
            guard let (min, max) = bounds else { return node }
            if quantified { throw error("nothing to repeat") }
            quantified = true
            if current == "?" { index += 1 }  // lazy: the same language
            node = .repetition(node, min: min, max: max)
        }
        return node
    }

    /// `{n}`, `{n,}` or `{n,m}`; nil (and no error) when the braces are not a quantifier.
    mutating func parseBraces() throws(ECMAPatternError) -> (Int, Int?)? {
        index += 1
        guard let minimum = parseDecimal() else { return nil }
        var maximum: Int? = minimum
        if current == "," {
            index += 1
            maximum = parseDecimal()
        }
        guard current == "}" else { return nil }
        index += 1
        if let maximum, maximum < minimum { throw error("numbers out of order in {\(minimum),\(maximum)}") }
        guard minimum <= 1000, (maximum ?? 0) <= 1000 else { throw error("a repetition count over 1000") }
        return (minimum, maximum)
    }

    mutating func parseDecimal() -> Int? {
        var value: Int?
        while let scalar = current, ("0"..."9").contains(scalar) {
            value = (value ?? 0) &* 10 &+ Int(scalar.value - 0x30)
            if value! > 100_000 { value = 100_000 }
            index += 1
        }
        return value
    }

    mutating func parseAtom() throws(ECMAPatternError) -> PatternNode {
        let scalar = current!
        index += 1
        switch scalar {
        case "^": return .assertStart
        case "$": return .assertEnd
        case ".": return .anyButNewline
        case "(":
            if current == "?" {
                index += 1
                switch current {
                case ":":
                    index += 1
                case "=", "!":
                    throw error("lookahead is not supported: it needs a backtracking engine")
                case "<":
                    index += 1
                    if current == "=" || current == "!" {
                        throw error("lookbehind is not supported: it needs a backtracking engine")
                    }
                    while let name = current, name != ">" {
                        guard name.properties.isAlphabetic || ("0"..."9").contains(name) || name == "_" || name == "$"
                        else {
                            throw error("invalid group name")
                        }
                        index += 1
                    }
                    guard current == ">" else { throw error("unterminated group name") }
                    index += 1
                default:
                    throw error("invalid group '(?'")
                }
            }
            groupDepth += 1
            guard groupDepth <= 200 else { throw error("groups nest deeper than 200 levels") }
            let inner = try parseAlternation()
            groupDepth -= 1
            guard current == ")" else { throw error("missing ')'") }
            index += 1
            return inner
        case ")":
            throw error("unmatched ')'")
        case "[":
            return .set(try parseClass())
        case "*", "+", "?":
            index -= 1
            throw error("nothing to repeat")
        case "{":
            // A quantifier with nothing before it is an error; other braces are literal (Annex B).
            let saved = index - 1
            index = saved
            if (try? parseBraces()) ?? nil != nil {
                index = saved
                throw error("nothing to repeat")
            }
            index = saved + 1
            return .scalar("{")
        case "\\":
            return try parseEscape(inClass: false)
        default:
            return .scalar(scalar)
        }
    }

    mutating func parseEscape(inClass: Bool) throws(ECMAPatternError) -> PatternNode {
        guard let scalar = current else { throw error("'\\' at the end of the pattern") }
        index += 1
        switch scalar {
        case "d": return .set(CharacterSet(ranges: CharacterSet.digit))
        case "D": return .set(CharacterSet(ranges: CharacterSet.digit, negated: true))
        case "w": return .set(CharacterSet(ranges: CharacterSet.word))
        case "W": return .set(CharacterSet(ranges: CharacterSet.word, negated: true))
        case "s": return .set(CharacterSet(ranges: CharacterSet.space))
        case "S": return .set(CharacterSet(ranges: CharacterSet.space, negated: true))
        case "b": return inClass ? .scalar("\u{8}") : .wordBoundary(true)
        case "B":
            if inClass { throw error("'\\B' inside a class") }
            return .wordBoundary(false)
        case "t": return .scalar("\t")
        case "n": return .scalar("\n")
        case "r": return .scalar("\r")
        case "v": return .scalar("\u{B}")
        case "f": return .scalar("\u{C}")
        case "0":
            if let next = current, ("0"..."9").contains(next) { throw error("octal escapes are not supported") }
            return .scalar("\0")
        case "1"..."9":
            throw error("backreferences are not supported: they need a backtracking engine")
        case "c":
            guard let letter = current, ("a"..."z").contains(letter) || ("A"..."Z").contains(letter) else {
                throw error("'\\c' needs a letter")
            }
            index += 1
            return .scalar(Unicode.Scalar(letter.value % 32)!)
        case "x":
            return .scalar(try hexScalar(digits: 2))
        case "u":
            if current == "{" {
                index += 1
                var value: UInt32 = 0
                var count = 0
                while let digit = current, let nibble = hexValue(digit) {
                    value = value &* 16 &+ nibble
                    count += 1
                    index += 1
                    guard count <= 6 else { throw error("invalid '\\u{…}' escape") }
                }
                guard count > 0, current == "}", let scalar = Unicode.Scalar(value) else {
                    throw error("invalid '\\u{…}' escape")
                }
                index += 1
                return .scalar(scalar)
            }
            let high = try hexValue(digits: 4)
            if (0xD800...0xDBFF).contains(high), current == "\\", index + 1 < scalars.count, scalars[index + 1] == "u" {
                let saved = index
                index += 2
                if let low = try? hexValue(digits: 4), (0xDC00...0xDFFF).contains(low) {
                    return .scalar(Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!)
                }
                index = saved
            }
            guard let scalar = Unicode.Scalar(high) else { throw error("a lone surrogate in '\\u' escape") }
            return .scalar(scalar)
        case "p", "P":
            throw error("Unicode property escapes ('\\\(scalar){…}') are not supported")
        case "k":
            throw error("named backreferences are not supported: they need a backtracking engine")
        case "-" where inClass:
            return .scalar("-")
        default:
            // Identity escapes: syntax characters and '/'.
            if "^$\\.*+?()[]{}|/".unicodeScalars.contains(scalar) { return .scalar(scalar) }
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                throw error("unknown escape '\\\(scalar)'")
            }
            return .scalar(scalar)
        }
    }

    func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar {
        case "0"..."9": scalar.value - 0x30
        case "a"..."f": scalar.value - 0x61 + 10
        case "A"..."F": scalar.value - 0x41 + 10
        default: nil
        }
    }

    mutating func hexValue(digits: Int) throws(ECMAPatternError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let scalar = current, let nibble = hexValue(scalar) else { throw error("invalid hexadecimal escape") }
            value = value * 16 + nibble
            index += 1
        }
        return value
    }

    mutating func hexScalar(digits: Int) throws(ECMAPatternError) -> Unicode.Scalar {
        Unicode.Scalar(try hexValue(digits: digits))!
    }

    mutating func parseClass() throws(ECMAPatternError) -> CharacterSet {
        var negated = false
        if current == "^" {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<UInt32>] = []
        while current != nil, current != "]" {
            let low = try parseClassAtom()
            if current == "-", index + 1 < scalars.count, scalars[index + 1] != "]" {
                index += 1
                let high = try parseClassAtom()
                guard case .scalar(let from) = low, case .scalar(let to) = high else {
                    throw error("a class escape cannot bound a range")
                }
                guard from.value <= to.value else { throw error("range out of order in a class") }
                ranges.append(from.value...to.value)
                continue
            }
            switch low {
            case .scalar(let single): ranges.append(single.value...single.value)
            case .set(let set): ranges += set.negated ? CharacterSet.complement(set.ranges) : set.ranges
            default: break
            }
        }
        guard current == "]" else { throw error("missing ']'") }
        index += 1
        return CharacterSet(ranges: ranges, negated: negated)
    }

    mutating func parseClassAtom() throws(ECMAPatternError) -> PatternNode {
        let scalar = current!
        index += 1
        if scalar == "\\" { return try parseEscape(inClass: true) }
        return .scalar(scalar)
    }
}

private struct PatternCompiler {
    var program: [Instruction] = []

    mutating func emit(_ node: PatternNode) throws(ECMAPatternError) {
        guard program.count <= ECMAPattern.maxProgramSize else {
            throw ECMAPatternError(message: "the pattern is too large once its repetitions are expanded", offset: 0)
        }
        switch node {
        case .empty: break
        case .scalar(let scalar): program.append(.scalar(scalar))
        case .set(let set): program.append(.set(set))
        case .anyButNewline: program.append(.anyButNewline)
        case .assertStart: program.append(.assertStart)
        case .assertEnd: program.append(.assertEnd)
        case .wordBoundary(let expected): program.append(.wordBoundary(expected))
        case .sequence(let items):
            for item in items { try emit(item) }
        case .alternation(let branches):
            var jumpsToEnd: [Int] = []
            for (index, branch) in branches.enumerated() {
                if index < branches.count - 1 {
                    let split = program.count
                    program.append(.split(split + 1, -1))
                    try emit(branch)
                    jumpsToEnd.append(program.count)
                    program.append(.jump(-1))
                    program[split] = .split(split + 1, program.count)
                } else {
                    try emit(branch)
                }
            }
            for jump in jumpsToEnd { program[jump] = .jump(program.count) }
        case .repetition(let inner, let min, let max):
            for _ in 0..<min { try emit(inner) }
            if let max {
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(program.count)
                    program.append(.split(program.count + 1, -1))
                    try emit(inner)
                }
                for split in splits { program[split] = .split(split + 1, program.count) }
            } else {
                let loop = program.count
                program.append(.split(loop + 1, -1))
                try emit(inner)
                program.append(.jump(loop))
                program[loop] = .split(loop + 1, program.count)
            }
        }
    }
}

extension ECMAPattern {
    /// A string the pattern matches, for mock data: each repetition taken `extra` times more
    /// than its minimum (up to its maximum), the first branch of each alternation, a member of
    /// each class. Nil when the pattern does not parse or the string it builds does not match
    /// (a word boundary it cannot honour, say).
    package static func sample(of source: String, extra: Int = 0) -> String? {
        var parser = PatternParser(Array(source.unicodeScalars))
        guard let tree = try? parser.parse(), let pattern = try? ECMAPattern(source) else { return nil }
        var scalars = String.UnicodeScalarView()
        guard append(tree, extra: extra, to: &scalars) else { return nil }
        let text = String(scalars)
        return pattern.matches(text) ? text : nil
    }

    /// Scalars tried, in order, for a class: readable ones first.
    private static let classCandidates: [Unicode.Scalar] =
        Array("aeiou0123456789bcdfghjklmnpqrstvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_. @:/+".unicodeScalars)
        + (0x21...0x7E).compactMap(Unicode.Scalar.init) + (0xA0...0x2FFF).compactMap(Unicode.Scalar.init)

    private static func append(_ node: PatternNode, extra: Int, to scalars: inout String.UnicodeScalarView) -> Bool {
        switch node {
        case .empty, .assertStart, .assertEnd, .wordBoundary:
            return true
        case .scalar(let scalar):
            scalars.append(scalar)
            return true
        case .anyButNewline:
            scalars.append("a")
            return true
        case .set(let set):
            guard let member = classCandidates.first(where: set.contains) else { return false }
            scalars.append(member)
            return true
        case .sequence(let items):
            return items.allSatisfy { append($0, extra: extra, to: &scalars) }
        case .alternation(let branches):
            guard let first = branches.first else { return true }
            return append(first, extra: extra, to: &scalars)
        case .repetition(let inner, let min, let max):
            let count = Swift.min(min + extra, max ?? Int.max)
            for _ in 0..<count {
                guard append(inner, extra: extra, to: &scalars) else { return false }
            }
            return true
        }
    }
}

extension ECMAPattern {
    /// Whether the pattern repeats, without a small bound, a body that one unbounded
    /// repetition can match on its own (`(a+)+`, `(\s*\w+)*`): harmless on this engine,
    /// exponential on backtracking ones, which try every way of splitting the input between
    /// the two. `(-[a-z]+)*` is fine: each round must start with `-`. False when the pattern
    /// does not parse (that is reported elsewhere).
    package static func repeatsARepetition(_ source: String) -> Bool {
        var parser = PatternParser(Array(source.unicodeScalars))
        guard let tree = try? parser.parse() else { return false }
        func unbounded(_ max: Int?) -> Bool { max == nil || max! > 16 }
        func nullable(_ node: PatternNode) -> Bool {
            switch node {
            case .empty, .assertStart, .assertEnd, .wordBoundary: true
            case .repetition(let inner, let min, _): min == 0 || nullable(inner)
            case .sequence(let items): items.allSatisfy(nullable)
            case .alternation(let branches): branches.contains(where: nullable)
            case .scalar, .set, .anyButNewline: false
            }
        }
        /// Whether an unbounded repetition alone can match the whole of `node`.
        func swallowedByARepetition(_ node: PatternNode) -> Bool {
            switch node {
            case .repetition(let inner, _, let max): unbounded(max) || swallowedByARepetition(inner)
            case .sequence(let items):
                // One item that a repetition swallows, and nothing else that must match.
                items.indices.contains { index in
                    swallowedByARepetition(items[index])
                        && items.indices.allSatisfy { $0 == index || nullable(items[$0]) }
                }
            case .alternation(let branches): branches.contains(where: swallowedByARepetition)
            default: false
            }
        }
        func check(_ node: PatternNode) -> Bool {
            switch node {
            case .sequence(let items): return items.contains(where: check)
            case .alternation(let branches): return branches.contains(where: check)
            case .repetition(let inner, _, let max):
                return (unbounded(max) && swallowedByARepetition(inner)) || check(inner)
            default: return false
            }
        }
        return check(tree)
    }
}
