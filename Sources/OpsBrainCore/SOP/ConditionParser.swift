/// Why a condition could not be read.
public struct ConditionSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension Condition {
    /// Parses the condition language: references, numbers, 'strings', true/false, comparisons,
    /// `and`, `or`, `not` and parentheses.
    public init(parsing text: String) throws {
        var parser = ConditionParser(tokens: try ConditionParser.tokenize(text), source: text)
        self = try parser.parseAll()
    }
}

/// A recursive-descent parser: or → and → not → comparison → primary.
struct ConditionParser {
    enum Token: Equatable {
        case identifier(String), number(Double), string(String), op(String), open, close
    }

    var tokens: [Token]
    let source: String
    var index = 0

    static func tokenize(_ text: String) throws -> [Token] {
        var tokens: [Token] = []
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace { index += 1; continue }
            if character == "(" { tokens.append(.open); index += 1; continue }
            if character == ")" { tokens.append(.close); index += 1; continue }
            if character == "'" || character == "\"" {
                guard let end = characters[(index + 1)...].firstIndex(of: character) else {
                    throw ConditionSyntaxError(message: "unterminated string in '\(text)'")
                }
                tokens.append(.string(String(characters[(index + 1)..<end])))
                index = end + 1
                continue
            }
            if "=!<>".contains(character) {
                let two = index + 1 < characters.count ? String(characters[index...(index + 1)]) : ""
                if ["==", "!=", "<=", ">="].contains(two) { tokens.append(.op(two)); index += 2; continue }
                guard character == "<" || character == ">" else {
                    throw ConditionSyntaxError(message: "unexpected '\(character)' in '\(text)' (use == or !=)")
                }
                tokens.append(.op(String(character)))
                index += 1
                continue
            }
            if character.isNumber || (character == "-" && index + 1 < characters.count && characters[index + 1].isNumber) {
                var end = index + 1
                while end < characters.count, characters[end].isNumber || characters[end] == "." { end += 1 }
                guard let number = Double(String(characters[index..<end])) else {
                    throw ConditionSyntaxError(message: "bad number in '\(text)'")
                }
                tokens.append(.number(number))
                index = end
                continue
            }
            if character.isLetter || character == "_" {
                var end = index + 1
                while end < characters.count, characters[end].isLetter || characters[end].isNumber
                        || characters[end] == "_" || characters[end] == "." { end += 1 }
                tokens.append(.identifier(String(characters[index..<end])))
                index = end
                continue
            }
            throw ConditionSyntaxError(message: "unexpected '\(character)' in '\(text)'")
        }
        return tokens
    }

    mutating func parseAll() throws -> Condition {
        guard !tokens.isEmpty else { throw ConditionSyntaxError(message: "empty condition") }
        let condition = try parseOr()
        guard index == tokens.count else { throw ConditionSyntaxError(message: "unexpected text at the end of '\(source)'") }
        return condition
    }

    private mutating func parseOr() throws -> Condition {
        var condition = try parseAnd()
        while keyword("or") { condition = .or(condition, try parseAnd()) }
        return condition
    }

    private mutating func parseAnd() throws -> Condition {
        var condition = try parseNot()
        while keyword("and") { condition = .and(condition, try parseNot()) }
        return condition
    }

    private mutating func parseNot() throws -> Condition {
        if keyword("not") { return .not(try parseNot()) }
        return try parseComparison()
    }

    private mutating func parseComparison() throws -> Condition {
        if index < tokens.count, tokens[index] == .open {
            index += 1
            let inner = try parseOr()
            guard index < tokens.count, tokens[index] == .close else {
                throw ConditionSyntaxError(message: "missing ')' in '\(source)'")
            }
            index += 1
            return inner
        }
        let lhs = try parseOperand()
        guard index < tokens.count, case .op(let symbol) = tokens[index] else { return .truthy(lhs) }
        index += 1
        return .compare(lhs, ComparisonOperator(rawValue: symbol)!, try parseOperand())
    }

    private mutating func parseOperand() throws -> Operand {
        guard index < tokens.count else { throw ConditionSyntaxError(message: "'\(source)' ends too early") }
        let token = tokens[index]
        index += 1
        switch token {
        case .number(let value): return .literal(.number(value))
        case .string(let value): return .literal(.string(value))
        case .identifier("true"): return .literal(.bool(true))
        case .identifier("false"): return .literal(.bool(false))
        case .identifier(let name) where !["and", "or", "not"].contains(name): return .reference(name)
        default: throw ConditionSyntaxError(message: "expected a value in '\(source)'")
        }
    }

    private mutating func keyword(_ word: String) -> Bool {
        guard index < tokens.count, tokens[index] == .identifier(word) else { return false }
        index += 1
        return true
    }
}
