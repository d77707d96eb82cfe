/// The report's system health, 0-100: 100 minus a penalty for everything that needed or needs a human.
///
/// Escalations by severity (critical 20, high 10, medium 5, low 3, info 1), 3 per fix awaiting
/// approval, predicted issues by severity (critical 6, high 4, medium 2, low 1), and 1 per failed
/// notification (at most 5). Deterministic, so the same facts always give the same score.
public enum HealthScore {
    /// The score for a report's findings.
    public static func compute(escalations: [Severity], approvalsWaiting: Int, predictions: [Severity], failedNotifications: Int) -> Int {
        let escalationPenalty = escalations.reduce(0) { $0 + escalationWeight($1) }
        let predictionPenalty = predictions.reduce(0) { $0 + predictionWeight($1) }
        let total = escalationPenalty + 3 * approvalsWaiting + predictionPenalty + min(5, failedNotifications)
        return max(0, min(100, 100 - total))
    }

    /// ✅ from 90, ⚠️ from 70, 🔴 below.
    public static func emoji(_ score: Int) -> String {
        score >= 90 ? "✅" : score >= 70 ? "⚠️" : "🔴"
    }

    private static func escalationWeight(_ severity: Severity) -> Int {
        switch severity {
        case .critical: return 20
        case .high: return 10
        case .medium: return 5
        case .low: return 3
        case .info: return 1
        }
    }

    private static func predictionWeight(_ severity: Severity) -> Int {
        switch severity {
        case .critical: return 6
        case .high: return 4
        case .medium: return 2
        case .low, .info: return 1
        }
    }
}
