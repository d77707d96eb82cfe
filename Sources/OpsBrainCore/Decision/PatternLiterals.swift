/// Finds strings that every match of a regular expression must contain, so a matcher can skip
/// patterns whose strings do not occur in a title without running the regex.
///
/// The analysis is conservative: anything it does not understand yields no requirement (the
/// pattern is then always tried), never a wrong one.
public enum PatternLiterals {
    /// Lower-cased strings of which every match contains at least one, or nil when none is certain.
    public static func anyOf(_ pattern: String) -> Set<String>? {
        var parser = Parser(characters: Array(pattern))
        guard let requirement = parser.parseAlternation(), parser.index == parser.characters.count else { return nil }
        return keys(requirement)
    }

    indirect enum Requirement {
        case literal(String)
        case all([Requirement])
        case any([Requirement])
        case nothing
    }

    /// The best key set: for `all`, the child whose shortest key is longest; for `any`, the union.
    static func keys(_ requirement: Requirement) -> Set<String>? {
        switch requirement {
        case .literal(let text): return text.count >= 3 ? [text.lowercased()] : nil
        case .nothing: return nil
        case .any(let options):
            var union: Set<String> = []
            for option in options {
                guard let keys = keys(option) else { return nil }
                union.formUnion(keys)
            }
            return union.isEmpty ? nil : union
        case .all(let parts):
            return parts.compactMap(keys).max { ($0.map(\.count).min() ?? 0) < ($1.map(\.count).min() ?? 0) }
        }
    }

    struct Parser {
        let characters: [Character]
        var index = 0

        /// alternation := sequence ('|' sequence)*
        mutating func parseAlternation() -> Requirement? {
            var options: [Requirement] = []
            repeat {
                guard let sequence = parseSequence() else { return nil }
                options.append(sequence)
            } while consume("|")
            return options.count == 1 ? options[0] : .any(options)
        }

        /// sequence := (atom quantifier?)* — mandatory literal characters join into runs.
        mutating func parseSequence() -> Requirement? {
            var parts: [Requirement] = []
            var run = ""
            func flush() {
                if !run.isEmpty { parts.append(.literal(run)) }
                run = ""
            }
            while index < characters.count, characters[index] != "|", characters[index] != ")" {
                guard let atom = parseAtom() else { return nil }
                let quantifier = parseQuantifier()
                switch (atom, quantifier) {
                case (_, .optional): flush()
                case (.literal(let text), .once): run += text
                case (.literal(let text), .atLeastOnce):
                    run += text
                    flush()
                case (let other, _):
                    flush()
                    parts.append(other)
                }
            }
            flush()
            return .all(parts)
        }

        enum Quantifier { case once, optional, atLeastOnce }

        mutating func parseQuantifier() -> Quantifier {
            guard index < characters.count else { return .once }
            var result = Quantifier.once
            switch characters[index] {
            case "?", "*": result = .optional; index += 1
            case "+": result = .atLeastOnce; index += 1
            case "{":
                guard let close = characters[index...].firstIndex(of: "}") else { return .once }
                let minimum = String(characters[(index + 1)..<close]).split(separator: ",").first.flatMap { Int($0) } ?? 0
                result = minimum == 0 ? .optional : .atLeastOnce
                index = close + 1
            default: return .once
            }
            if index < characters.count, characters[index] == "?" || characters[index] == "+" { index += 1 }
            return result
        }

        mutating func parseAtom() -> Requirement? {
            let character = characters[index]
            index += 1
            switch character {
            case "(": return parseGroup()
            case "[": return skipClass() ? .nothing : nil
            case ".", "^", "$": return .nothing
            case "\\":
                guard index < characters.count else { return nil }
                let escaped = characters[index]
                index += 1
                return escaped.isLetter || escaped.isNumber ? .nothing : .literal(String(escaped))
            case "*", "+", "?", "{": return nil
            default: return .literal(String(character))
            }
        }

        /// `(...)`, `(?:...)`, `(?<name>...)`; inline flags `(?i)` are nothing; lookarounds require nothing.
        mutating func parseGroup() -> Requirement? {
            var lookaround = false
            if consume("?") {
                if consume(":") {
                } else if consume("=") || consume("!") {
                    lookaround = true
                } else if consume("<") {
                    if consume("=") || consume("!") { lookaround = true } else {
                        guard let close = characters[index...].firstIndex(of: ">") else { return nil }
                        index = close + 1
                    }
                } else {
                    while index < characters.count, characters[index].isLetter || characters[index] == "-" { index += 1 }
                    if consume(")") { return .nothing }
                    guard consume(":") else { return nil }
                }
            }
            guard let inner = parseAlternation(), consume(")") else { return nil }
            return lookaround ? .nothing : inner
        }

        mutating func skipClass() -> Bool {
            if index < characters.count, characters[index] == "]" { index += 1 }
            while index < characters.count {
                if characters[index] == "\\" { index += 2; continue }
                if characters[index] == "]" { index += 1; return true }
                index += 1
            }
            return false
        }

        mutating func consume(_ character: Character) -> Bool {
            guard index < characters.count, characters[index] == character else { return false }
            index += 1
            return true
        }
    }
}
