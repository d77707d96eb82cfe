import Foundation
import OpsBrainCore

/// The last preflight's findings, as the leader stored them: for `/metrics`, the console and `sop check --stored`.
public struct PreflightRepository {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Replaces the stored findings with `findings`, in one transaction.
    public func replace(with findings: [PreflightFinding], engineID: String) throws {
        try connection.transaction { tx in
            try tx.query("DELETE FROM opsbrain_preflight_findings")
            for finding in findings {
                try tx.query("""
                    INSERT INTO opsbrain_preflight_findings (engine_id, sop_name, step_id, source, problem, detail)
                    VALUES ($1, $2, $3, $4, $5, $6)
                    """, [engineID, finding.sop, finding.step, "\(finding.file):\(finding.line)", finding.problem.rawValue, finding.detail])
            }
        }
    }

    /// How many steps the last preflight found that cannot work here.
    public func count() throws -> Int {
        try connection.query("SELECT count(*) AS n FROM opsbrain_preflight_findings", repeating: .safeToRepeat).first?.int("n") ?? 0
    }
}
