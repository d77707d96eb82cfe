import Foundation

/// One SOP that may fit an alert, with how well it fits (0-100) and why.
public struct MatchCandidate: Sendable, Equatable {
    public var sopName: String
    /// The seed's "pattern match" factor: trigger rules (80%) plus text similarity (20%).
    public var score: Int
    /// True when the trigger rules hold; text similarity alone never makes a match.
    public var ruleMatched: Bool
    public var reasons: [String]
}

/// Matches alerts to SOPs deterministically: trigger rules plus a token-similarity score.
///
/// Built once per SOP set. Alert types are looked up in a hash index, and title patterns are
/// only tried for SOPs whose pattern's literal words appear in the title, so matching stays
/// cheap with a thousand SOPs.
public struct Matcher: Sendable {
    struct Entry: Sendable {
        var definition: SOPDefinition
        var patterns: [CompiledPattern]
        var labelPatterns: [String: CompiledPattern]
        var tokens: Set<String>
    }

    struct CompiledPattern: @unchecked Sendable {
        var regex: NSRegularExpression
        /// Lower-cased words every match must contain; empty when none could be derived.
        var requiredWords: [String]
    }

    private let entries: [Entry]
    private let byAlertType: [String: [Int]]
    private let byTitleWord: [String: [Int]]
    /// SOPs with a title pattern from which no required word could be derived: always tried.
    private let alwaysTry: [Int]

    public init(sops: [SOPDefinition]) {
        var entries: [Entry] = []
        var byAlertType: [String: [Int]] = [:]
        var byTitleWord: [String: [Int]] = [:]
        var alwaysTry: [Int] = []
        for (index, sop) in sops.enumerated() {
            let patterns = sop.trigger.titlePatterns.compactMap(Matcher.compile)
            var labels: [String: CompiledPattern] = [:]
            for (key, matcher) in sop.trigger.labels {
                if case .matches(let pattern) = matcher, let compiled = Matcher.compile(pattern) { labels[key] = compiled }
            }
            entries.append(Entry(definition: sop, patterns: patterns, labelPatterns: labels, tokens: Matcher.tokens(of: sop)))
            for type in Set(sop.trigger.alertTypes.map { $0.lowercased() }) { byAlertType[type, default: []].append(index) }
            for pattern in patterns {
                if let word = pattern.requiredWords.max(by: { $0.count < $1.count }) {
                    byTitleWord[word, default: []].append(index)
                } else {
                    alwaysTry.append(index)
                }
            }
        }
        self.entries = entries
        self.byAlertType = byAlertType
        self.byTitleWord = byTitleWord
        self.alwaysTry = alwaysTry
    }

    /// SOPs whose trigger rules hold for `alert`, best first (ties by name).
    public func candidates(for alert: AlertSnapshot) -> [MatchCandidate] {
        let titleWords = Matcher.words(alert.title)
        var indices = Set(byAlertType[alert.alertType.lowercased()] ?? [])
        for word in titleWords { indices.formUnion(byTitleWord[word] ?? []) }
        indices.formUnion(alwaysTry)
        let alertTokens = Matcher.tokens(of: alert)
        return indices.compactMap { score(entries[$0], alert: alert, alertTokens: alertTokens) }
            .sorted { ($0.score, $1.sopName) > ($1.score, $0.sopName) }
    }

    /// The best match, or nil for the "unknown" path.
    public func bestMatch(for alert: AlertSnapshot) -> MatchCandidate? { candidates(for: alert).first }

    private func score(_ entry: Entry, alert: AlertSnapshot, alertTokens: Set<String>) -> MatchCandidate? {
        let trigger = entry.definition.trigger
        if let minimum = trigger.severityMin, alert.severity < minimum { return nil }
        for (key, matcher) in trigger.labels {
            guard let value = alert.labels[key] else { return nil }
            switch matcher {
            case .equals(let expected): if value != expected { return nil }
            case .matches: if !(entry.labelPatterns[key].map { Matcher.matches($0.regex, value) } ?? false) { return nil }
            }
        }
        let typeMatched = trigger.alertTypes.contains { $0.caseInsensitiveCompare(alert.alertType) == .orderedSame }
        let titleMatched = entry.patterns.contains { Matcher.matches($0.regex, alert.title) }
        guard typeMatched || titleMatched else { return nil }
        var reasons: [String] = []
        var rule = 20 // labels and severity_min hold (checked above)
        if typeMatched { rule += 50; reasons.append("alert type \(alert.alertType)") }
        if titleMatched { rule += 30; reasons.append("title pattern") }
        let similarity = Matcher.similarity(alertTokens, entry.tokens)
        let score = min(100, Int((0.8 * Double(rule) + 20 * similarity).rounded()))
        return MatchCandidate(sopName: entry.definition.name, score: score, ruleMatched: true, reasons: reasons)
    }

    // MARK: Text

    static func compile(_ pattern: String) -> CompiledPattern? {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return nil }
        return CompiledPattern(regex: regex, requiredWords: requiredWords(of: pattern))
    }

    static func matches(_ regex: NSRegularExpression, _ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Words that appear literally in every match: taken from a pattern with no alternation or
    /// optional parts, so `(?i)sms delivery` requires "sms" and "delivery".
    static func requiredWords(of pattern: String) -> [String] {
        let body = pattern.replacingOccurrences(of: "(?i)", with: "")
        guard !body.contains("|"), !body.contains("?"), !body.contains("\\"), !body.contains("[") else { return [] }
        return body.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).enumerated().compactMap { index, part in
            let text = String(part).lowercased()
            // A word next to a quantifier may be partial; keep only words followed by a plain separator.
            let end = body.range(of: String(part))?.upperBound
            let next = end.flatMap { $0 < body.endIndex ? body[$0] : nil }
            return (next == "*" || next == "+" || next == "{" || text.count < 3) ? nil : text
        }
    }

    static func words(_ text: String) -> Set<String> {
        Set(text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init))
    }

    static func tokens(of sop: SOPDefinition) -> Set<String> {
        words([sop.name.replacingOccurrences(of: "-", with: " "), sop.description,
               sop.trigger.alertTypes.joined(separator: " ").replacingOccurrences(of: "_", with: " ")]
            .joined(separator: " ")).filter { $0.count > 2 }
    }

    static func tokens(of alert: AlertSnapshot) -> Set<String> {
        words(([alert.title, alert.alertType.replacingOccurrences(of: "_", with: " ")] + alert.labels.values)
            .joined(separator: " ")).filter { $0.count > 2 }
    }

    /// Jaccard similarity of two token sets (0...1).
    static func similarity(_ lhs: Set<String>, _ rhs: Set<String>) -> Double {
        guard !lhs.isEmpty, !rhs.isEmpty else { return 0 }
        return Double(lhs.intersection(rhs).count) / Double(lhs.union(rhs).count)
    }
}
