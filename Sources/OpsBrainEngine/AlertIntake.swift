import Foundation
import OpsBrainCore
import OpsBrainPostgres

/// Turns a claimed alert into an execution: normalize (or reject with a reason), match, open.
struct AlertIntake {
    let repository: ExecutionRepository
    let settings: EngineSettings
    let catalog: SOPCatalog
    var actor: String { "engine:\(settings.engineID)" }

    func handle(_ alert: ClaimedAlert) throws {
        let raw = RawAlert(alertType: alert.alertType, title: alert.title, severity: alert.severity, evidenceText: alert.evidenceText)
        switch AlertNormalizer.normalize(raw) {
        case .rejected(let reason):
            try repository.rejectAlert(alert.id, reason: reason, actor: actor)
        case .accepted(let type, let title, let severity, let notes, let evidence):
            var snapshot = alert.snapshot
            snapshot.alertType = type
            snapshot.title = title
            snapshot.severity = severity
            let found = catalog.bestMatch(for: snapshot)
            let (match, entry) = (found?.0, found?.1)
            _ = try repository.openExecution(
                for: alert, normalized: snapshot, notes: notes, evidence: evidence,
                sop: entry.map { ($0.id, $0.version, $0.definition.name) }, match: match,
                mode: ExecutionRunner.stricter(settings.mode, entry?.definition.mode),
                maxAttempts: entry?.definition.verification.attempts ?? 1, instances: entry.flatMap { instances(of: $0, snapshot) },
                actor: actor)
        }
    }

    /// The instance the alert picks among the SOP's declared ones, with the SOP's cap; nil for an
    /// SOP without instance targets, or one not set up here (its alerts escalate as such, one per storm).
    private func instances(of entry: CatalogEntry, _ alert: AlertSnapshot) -> InstanceRequest? {
        guard entry.isSetUp, let selection = entry.selection else { return nil }
        return InstanceRequest(choice: selection.choose(labels: alert.labels), cap: selection.maxExecutions)
    }
}
