import Foundation
import OpsBrainCore
import OpsBrainPostgres
import OpsBrainRunners

/// Silences an alert at the Alertmanager that sent it, for a person, and records the silence on
/// the alert (audited, announced): the CLI's `alert silence`, and for the console to call too.
///
/// Only firing alerts from Alertmanager are silenced, with equality matchers on all their labels,
/// at the configured Alertmanager `AlertmanagerChoice` picks. The silence is made first; the
/// record follows in its own transaction, and if that fails the error names the silence made.
public struct AlertSilenceAction {
    let connection: PostgresConnection
    let targets: [String: TargetDefinition]
    let silencer: AlertmanagerSilencer
    let redactor: SecretRedactor

    /// Silences at the Alertmanager targets of `config`, reading their `headers_env` from `environment`.
    public init(connection: PostgresConnection, config: OpsBrainConfig,
                environment: [String: String] = ProcessInfo.processInfo.environment, client: HTTPClient = HTTPClient()) {
        self.connection = connection
        targets = config.targets
        silencer = AlertmanagerSilencer(client: client, environment: environment)
        redactor = EngineAssembly.settings(config: config).redactor
    }

    /// Silences alert `id` for `duration` from now and records it.
    ///
    /// - Parameters:
    ///   - comment: the silence's comment in Alertmanager (a default names the alert and the person).
    ///   - alertmanager: the configured Alertmanager to use, when the alert does not say which one sent it.
    /// - Throws: `AlertActionRefused` (no such alert, not firing, already silenced),
    ///   `AlertActionInputError` (not from Alertmanager, which Alertmanager), `StepFailure` (Alertmanager's answer).
    @discardableResult
    public func silence(_ id: UUID, for duration: Duration, comment: String? = nil, alertmanager: String? = nil,
                        by person: Approver) throws -> AlertSilenceRecord {
        let repository = AlertActionRepository(connection: connection, redactor: redactor)
        let short = String(id.uuidString.lowercased().prefix(8))
        guard let alert = try repository.state(id) else {
            throw AlertActionRefused(description: "no alert \(id.uuidString.lowercased())")
        }
        guard alert.status == .firing else {
            throw AlertActionRefused(description: "alert \(short) is \(alert.status.rawValue); nothing to silence")
        }
        if let until = alert.silencedUntil, until > Date(), let silenceID = alert.silenceID {
            throw AlertActionRefused(description: "alert \(short) is already silenced by \(alert.silencedBy ?? "someone") until "
                                     + "\(AlertActionState.utcText(until)) (silence \(silenceID))")
        }
        let chosen = try AlertmanagerChoice.pick(source: alert.source, evidence: alert.evidence, targets: targets, named: alertmanager)
        let text = comment.flatMap { $0.isEmpty ? nil : $0 } ?? "Silenced from Ops Brain by \(person.name): \(alert.title)"
        let created = try silencer.silence(on: chosen.target, matchers: alert.labels, for: duration, comment: text, createdBy: person.name)
        let record = AlertSilenceRecord(id: created.id, alertmanager: chosen.name, endsAt: created.endsAt, duration: duration,
                                        matchers: alert.labels, comment: text)
        do {
            try repository.recordSilence(record, on: id, by: person)
        } catch {
            throw AlertActionRefused(description: "silence \(created.id) was made at alertmanager '\(chosen.name)' until "
                                     + "\(AlertActionState.utcText(created.endsAt)), but recording it on alert \(short) failed: \(error)")
        }
        return record
    }
}
