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
/// Built once per SOP set. Alert types are looked up in a hash index, and a title pattern is only
/// run when the title holds the first three letters of a string every match of it must contain
/// (`PatternLiterals`), so matching stays cheap with a thousand SOPs.
public struct Matcher: Sendable {
    struct Entry: Sendable {
        var definition: SOPDefinition
        /// Lower-cased alert types.
        var alertTypes: Set<String>
        var patterns: [CompiledPattern]
        var labelPatterns: [String: CompiledPattern]
        var tokens: Set<String>
    }

    struct CompiledPattern: @unchecked Sendable {
        var regex: NSRegularExpression
        /// Lower-cased strings of which every match contains one; nil when none is certain.
        var literals: Set<String>?
    }

    private let entries: [Entry]
    private let byAlertType: [String: [Int]]
    /// SOP indices by the first three bytes of their title patterns' required strings.
    private let byTrigram: [UInt32: [Int]]
    /// SOPs with a title pattern that requires no certain string: always tried.
    private let alwaysTry: [Int]

    public init(sops: [SOPDefinition]) {
        var entries: [Entry] = []
        var byAlertType: [String: [Int]] = [:]
        var alwaysTry: [Int] = []
        var required: [(index: Int, literal: String)] = []
        for (index, sop) in sops.enumerated() {
            let patterns = sop.trigger.titlePatterns.compactMap(Matcher.compile)
            var labels: [String: CompiledPattern] = [:]
            for (key, matcher) in sop.trigger.labels {
                if case .matches(let pattern) = matcher, let compiled = Matcher.compile(pattern) { labels[key] = compiled }
            }
            entries.append(Entry(definition: sop, alertTypes: Set(sop.trigger.alertTypes.map { $0.lowercased() }),
                                 patterns: patterns, labelPatterns: labels, tokens: Matcher.tokens(of: sop)))
            for type in entries[index].alertTypes { byAlertType[type, default: []].append(index) }
            for pattern in patterns {
                guard let literals = pattern.literals else { alwaysTry.append(index); continue }
                required += literals.map { (index, $0) }
            }
        }
        self.entries = entries
        self.byAlertType = byAlertType
        self.byTrigram = Matcher.trigramIndex(required)
        self.alwaysTry = alwaysTry
    }

    /// Indexes each required string by its least common trigram: any title holding the string holds
    /// that trigram, and a rare key keeps the candidate lists short.
    static func trigramIndex(_ required: [(index: Int, literal: String)]) -> [UInt32: [Int]] {
        var frequency: [UInt32: Int] = [:]
        let trigramsByLiteral = required.map { trigrams($0.literal) }
        for set in trigramsByLiteral { for trigram in set { frequency[trigram, default: 0] += 1 } }
        var index: [UInt32: [Int]] = [:]
        for (position, entry) in required.enumerated() {
            guard let rarest = trigramsByLiteral[position].min(by: { (frequency[$0] ?? 0, $0) < (frequency[$1] ?? 0, $1) }) else { continue }
            if index[rarest]?.last != entry.index { index[rarest, default: []].append(entry.index) }
        }
        return index
    }

    /// SOPs whose trigger rules hold for `alert`, best first (ties by name).
    public func candidates(for alert: AlertSnapshot) -> [MatchCandidate] {
        let type = alert.alertType.lowercased()
        var indices = Set(byAlertType[type] ?? [])
        let lowered = alert.title.lowercased()
        for trigram in Matcher.trigrams(lowered) { indices.formUnion(byTrigram[trigram] ?? []) }
        indices.formUnion(alwaysTry)
        guard !indices.isEmpty else { return [] }
        let alertTokens = Matcher.tokens(of: alert)
        return indices.compactMap { score(entries[$0], alert: alert, type: type, loweredTitle: lowered, alertTokens: alertTokens) }
            .sorted { ($0.score, $1.sopName) > ($1.score, $0.sopName) }
    }

    /// The best match, or nil for the "unknown" path.
    public func bestMatch(for alert: AlertSnapshot) -> MatchCandidate? { candidates(for: alert).first }

    private func score(_ entry: Entry, alert: AlertSnapshot, type: String, loweredTitle: String,
                       alertTokens: Set<String>) -> MatchCandidate? {
        let trigger = entry.definition.trigger
        let typeMatched = entry.alertTypes.contains(type)
        let titleMatched = entry.patterns.contains { pattern in
            // The regex runs only when the title holds one of the strings every match must contain.
            pattern.literals.map { $0.contains { loweredTitle.contains($0) } } ?? true && Matcher.matches(pattern.regex, alert.title)
        }
        guard typeMatched || titleMatched else { return nil }
        if let minimum = trigger.severityMin, alert.severity < minimum { return nil }
        for (key, matcher) in trigger.labels {
            guard let value = alert.labels[key] else { return nil }
            switch matcher {
            case .equals(let expected): if value != expected { return nil }
            case .matches: if !(entry.labelPatterns[key].map { Matcher.matches($0.regex, value) } ?? false) { return nil }
            }
        }
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
        return CompiledPattern(regex: regex, literals: PatternLiterals.anyOf(pattern))
    }

    static func matches(_ regex: NSRegularExpression, _ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Every three-byte window of already lower-cased text, packed into an integer.
    static func trigrams(_ lowered: String) -> Set<UInt32> {
        let bytes = Array(lowered.utf8)
        guard bytes.count >= 3 else { return [] }
        var result = Set<UInt32>(minimumCapacity: bytes.count)
        for index in 0...(bytes.count - 3) {
            result.insert(UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]))
        }
        return result
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

    /// Jaccard similarity of two token sets (0...1), without building the union.
    static func similarity(_ lhs: Set<String>, _ rhs: Set<String>) -> Double {
        guard !lhs.isEmpty, !rhs.isEmpty else { return 0 }
        let (small, large) = lhs.count < rhs.count ? (lhs, rhs) : (rhs, lhs)
        let shared = small.reduce(0) { $0 + (large.contains($1) ? 1 : 0) }
        return Double(shared) / Double(lhs.count + rhs.count - shared)
    }
}
