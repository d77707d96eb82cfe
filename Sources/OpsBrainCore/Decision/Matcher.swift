import Foundation

/// One SOP that may fit an alert, with how well it fits (0-100) and why.
public struct MatchCandidate: Sendable, Equatable {
    public var sopName: String
    /// The seed's "pattern match" factor: trigger rules (80%) plus text similarity (20%).
    /// Only SOPs whose trigger rules hold are candidates; similarity alone never makes a match.
    public var score: Int
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
        var tokens: Set<UInt64>
    }

    /// A title or label pattern, compiled once. `NSRegularExpression` is immutable and safe to share
    /// across threads once built, but Foundation does not mark it `Sendable`; hence the unchecked conformance.
    struct CompiledPattern: @unchecked Sendable {
        var regex: NSRegularExpression
        /// Lower-cased strings of which every match contains one; nil when none is certain.
        var literals: Set<String>?
        /// The same strings as UTF-8, for a quick search of the title.
        var literalBytes: [[UInt8]]?
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
        prospects(for: alert).compactMap(\.confirmed).sorted(by: Matcher.ranksBefore)
    }

    /// The best match, or nil for the "unknown" path.
    ///
    /// Prospects are tried from the highest possible score down; title patterns are run only
    /// until no remaining prospect could beat the best confirmed match.
    public func bestMatch(for alert: AlertSnapshot) -> MatchCandidate? {
        var best: MatchCandidate?
        for prospect in prospects(for: alert).sorted(by: { ($0.ceiling, $1.entry.definition.name) > ($1.ceiling, $0.entry.definition.name) }) {
            if let best, (prospect.ceiling, best.sopName) <= (best.score, prospect.entry.definition.name) { break }
            if let candidate = prospect.confirmed, best.map({ Matcher.ranksBefore(candidate, $0) }) ?? true { best = candidate }
        }
        return best
    }

    /// SOPs that list the alert's type but whose severity or label rules turned it away, each with why:
    /// the hint an "unknown problem" escalation gives (a rule without a `severity` label is medium).
    public func nearMisses(for alert: AlertSnapshot) -> [(sop: String, reason: String)] {
        (byAlertType[alert.alertType.lowercased()] ?? []).compactMap { index in
            Matcher.ruleFailure(entries[index], alert: alert).map { (entries[index].definition.name, $0) }
        }.sorted { $0.sop < $1.sop }
    }

    /// Ranking: higher score first, then name.
    static func ranksBefore(_ lhs: MatchCandidate, _ rhs: MatchCandidate) -> Bool {
        (lhs.score, rhs.sopName) > (rhs.score, lhs.sopName)
    }

    /// An SOP whose cheap rules (type, severity, labels) hold, before its title patterns are run.
    struct Prospect {
        let entry: Entry
        let alert: AlertSnapshot
        let typeMatched: Bool
        let alertTokens: Set<UInt64>
        /// The lower-cased title as UTF-8.
        let loweredTitle: [UInt8]
        /// The highest score it could reach: title matched, words identical.
        let ceiling: Int

        /// The real candidate: runs the title patterns that the title's strings allow.
        var confirmed: MatchCandidate? {
            let titleMatched = entry.patterns.contains { pattern in
                Matcher.mayMatch(pattern, loweredTitle) && Matcher.matches(pattern.regex, alert.title)
            }
            guard typeMatched || titleMatched else { return nil }
            let similarity = Matcher.similarity(alertTokens, entry.tokens)
            var reasons: [String] = []
            if typeMatched { reasons.append("alert type \(alert.alertType)") }
            if titleMatched { reasons.append("title pattern") }
            return MatchCandidate(sopName: entry.definition.name,
                                  score: Matcher.score(type: typeMatched, title: titleMatched, similarity: similarity),
                                  reasons: reasons)
        }
    }

    /// Trigger rules (80%: labels and severity 20, type 50, title 30) plus similarity (20%).
    static func score(type: Bool, title: Bool, similarity: Double) -> Int {
        let rule = 20 + (type ? 50 : 0) + (title ? 30 : 0)
        return min(100, Int((0.8 * Double(rule) + 20 * similarity).rounded()))
    }

    private func prospects(for alert: AlertSnapshot) -> [Prospect] {
        let type = alert.alertType.lowercased()
        var indices = Set(byAlertType[type] ?? [])
        let titleBytes = Array(alert.title.lowercased().utf8)
        if titleBytes.count >= 3 {
            for index in 0...(titleBytes.count - 3) {
                let key = UInt32(titleBytes[index]) << 16 | UInt32(titleBytes[index + 1]) << 8 | UInt32(titleBytes[index + 2])
                if let hits = byTrigram[key] { indices.formUnion(hits) }
            }
        }
        indices.formUnion(alwaysTry)
        guard !indices.isEmpty else { return [] }
        let alertTokens = Matcher.tokens(of: alert)
        return indices.compactMap { index in
            let entry = entries[index]
            let typeMatched = entry.alertTypes.contains(type)
            // A title pattern can only match when the title holds one of its required strings.
            let titlePossible = entry.patterns.contains { Matcher.mayMatch($0, titleBytes) }
            guard typeMatched || titlePossible, Matcher.cheapRulesHold(entry, alert: alert) else { return nil }
            return Prospect(entry: entry, alert: alert, typeMatched: typeMatched, alertTokens: alertTokens, loweredTitle: titleBytes,
                            ceiling: Matcher.score(type: typeMatched, title: titlePossible, similarity: 1))
        }
    }

    /// severity_min and label matchers.
    static func cheapRulesHold(_ entry: Entry, alert: AlertSnapshot) -> Bool {
        ruleFailure(entry, alert: alert) == nil
    }

    /// Which of severity_min and the label matchers turns `alert` away, in words; nil when they all hold.
    static func ruleFailure(_ entry: Entry, alert: AlertSnapshot) -> String? {
        let trigger = entry.definition.trigger
        if let minimum = trigger.severityMin, alert.severity < minimum {
            return "needs severity \(minimum.rawValue) or higher; this alert is \(alert.severity.rawValue)"
        }
        for key in trigger.labels.keys.sorted() {
            guard let value = alert.labels[key] else { return "needs the label '\(key)', which this alert lacks" }
            switch trigger.labels[key]! {
            case .equals(let expected):
                if value != expected { return "needs \(key)=\(expected); this alert has \(key)=\(value)" }
            case .matches:
                if !(entry.labelPatterns[key].map { matches($0.regex, value) } ?? false) {
                    return "needs '\(key)' to match its pattern; this alert has \(key)=\(value)"
                }
            }
        }
        return nil
    }

    // MARK: Text

    static func compile(_ pattern: String) -> CompiledPattern? {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return nil }
        let literals = PatternLiterals.anyOf(pattern)
        return CompiledPattern(regex: regex, literals: literals, literalBytes: literals.map { $0.map { Array($0.utf8) } })
    }

    static func matches(_ regex: NSRegularExpression, _ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// False when the lower-cased title lacks every string the pattern's matches must contain.
    static func mayMatch(_ pattern: CompiledPattern, _ title: [UInt8]) -> Bool {
        guard let literals = pattern.literalBytes else { return true }
        return literals.contains { contains(title, $0) }
    }

    /// Byte substring search (titles are short; a plain scan beats anything clever).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        let first = needle[0]
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var offset = 1
                while offset < needle.count && haystack[index + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            index += 1
        }
        return false
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

    /// Hashes (FNV-1a) of the lower-cased words of three or more letters or digits in `texts`,
    /// read byte by byte: ASCII is folded cheaply, other UTF-8 is kept as it is. Anything else
    /// (spaces, `-`, `_`, punctuation) separates words.
    static func words(_ texts: [String]) -> Set<UInt64> {
        var words = Set<UInt64>()
        for text in texts {
            var hash: UInt64 = 0xcbf29ce484222325
            var length = 0
            for byte in text.utf8 {
                var folded = byte
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): folded = byte + 32
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), 0x80...: break
                default:
                    if length >= 3 { words.insert(hash) }
                    hash = 0xcbf29ce484222325
                    length = 0
                    continue
                }
                hash = (hash ^ UInt64(folded)) &* 0x100000001b3
                length += 1
            }
            if length >= 3 { words.insert(hash) }
        }
        return words
    }

    static func tokens(of sop: SOPDefinition) -> Set<UInt64> {
        words([sop.name, sop.description] + sop.trigger.alertTypes)
    }

    static func tokens(of alert: AlertSnapshot) -> Set<UInt64> {
        words([alert.title, alert.alertType] + Array(alert.labels.values))
    }

    /// Jaccard similarity of two token sets (0...1), without building the union.
    static func similarity(_ lhs: Set<UInt64>, _ rhs: Set<UInt64>) -> Double {
        guard !lhs.isEmpty, !rhs.isEmpty else { return 0 }
        let (small, large) = lhs.count < rhs.count ? (lhs, rhs) : (rhs, lhs)
        let shared = small.reduce(0) { $0 + (large.contains($1) ? 1 : 0) }
        return Double(shared) / Double(lhs.count + rhs.count - shared)
    }
}
