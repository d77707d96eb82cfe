import Foundation

/// Which configured Alertmanager to silence an alert at: the one that sent it.
///
/// The candidates are the config's targets of type `alertmanager` (each declared instance of one
/// counts as its own). With one, it is the one. With several, the alert's evidence must name its
/// sender (`externalURL`, which Alertmanager puts in every webhook), or the person names one.
public enum AlertmanagerChoice {
    /// One configured Alertmanager: its name as messages show it, and the concrete target.
    public struct Candidate: Sendable, Equatable {
        /// The target's name, with the instance key for an instance target (`alertmanager[eu]`).
        public var name: String
        public var target: TargetDefinition
    }

    /// Picks the Alertmanager to silence an alert from `source` with `evidence` at.
    ///
    /// - Parameters:
    ///   - named: the candidate a person chose; it must be one of the configured ones.
    /// - Throws: `AlertActionInputError` naming what is missing or the choices.
    public static func pick(source: String, evidence: JSONValue, targets: [String: TargetDefinition],
                            named: String? = nil) throws -> Candidate {
        guard source == "alertmanager" else {
            throw AlertActionInputError("only alerts from Alertmanager can be silenced at their source; this one came from '\(source)'"
                                        + " (snooze it instead)")
        }
        let candidates = self.candidates(targets)
        let names = candidates.map(\.name).joined(separator: ", ")
        if let named {
            guard let chosen = candidates.first(where: { $0.name == named }) else {
                throw AlertActionInputError(candidates.isEmpty ? noneConfigured
                                            : "no Alertmanager named '\(named)' is configured: choose one of \(names)")
            }
            return chosen
        }
        guard candidates.count > 1 else {
            guard let only = candidates.first else { throw AlertActionInputError(noneConfigured) }
            return only
        }
        guard let sender = evidence["externalURL"]?.stringValue, !sender.isEmpty else {
            throw AlertActionInputError("\(candidates.count) Alertmanagers are configured and the alert does not say which one"
                                        + " sent it (no externalURL in its evidence): choose one of \(names)")
        }
        let matching = candidates.filter { $0.target.string("url").map(normalized) == normalized(sender) }
        guard matching.count == 1 else {
            throw AlertActionInputError("the alert came from the Alertmanager at \(sender), which is "
                                        + (matching.isEmpty ? "none" : "more than one") + " of the configured ones: choose one of \(names)")
        }
        return matching[0]
    }

    private static let noneConfigured = "no Alertmanager is configured: add a target of type alertmanager (with its url) to the config"

    /// Every configured Alertmanager, by name.
    static func candidates(_ targets: [String: TargetDefinition]) -> [Candidate] {
        targets.values.filter { $0.kind == .alertmanager }.flatMap { target -> [Candidate] in
            guard let members = target.instances?.members else { return [Candidate(name: target.name, target: target)] }
            return members.keys.compactMap { key in
                target.instance(key).map { Candidate(name: "\(target.name)[\(key)]", target: $0) }
            }
        }.sorted { $0.name < $1.name }
    }

    /// A URL as compared: lowercased, without trailing slashes.
    private static func normalized(_ url: String) -> String {
        var text = url.trimmingCharacters(in: .whitespaces).lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
