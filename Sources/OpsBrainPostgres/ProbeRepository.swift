import Foundation
import OpsBrainCore

/// Probe samples (`opsbrain_probe_samples`) and which probes have a firing alert.
///
/// Alerts themselves are raised and resolved through `IntakeRepository.ingest`, like any source's.
public struct ProbeRepository {
    let connection: PostgresConnection

    /// A repository working on `connection`.
    public init(connection: PostgresConnection) { self.connection = connection }

    /// Stores `samples` in one statement (all or nothing).
    public func insert(_ samples: [ProbeSample]) throws {
        guard !samples.isEmpty else { return }
        let rows = JSONValue.array(samples.map { sample in
            .object(["probe": .string(sample.probe), "at": .string(sample.at.postgresText), "value": .number(sample.value),
                     "ok": .bool(sample.ok), "labels": .object(sample.labels.mapValues(JSONValue.string))])
        })
        try connection.query("""
            INSERT INTO opsbrain_probe_samples (probe, at, value, ok, labels)
            SELECT s->>'probe', (s->>'at')::timestamptz, (s->>'value')::double precision, (s->>'ok')::boolean, s->'labels'
            FROM jsonb_array_elements($1::jsonb) AS s
            """, [rows])
    }

    /// The names of the probes whose alert (fingerprint `probe:<name>`) is firing.
    public func firingProbes() throws -> Set<String> {
        let rows = try connection.query("""
            SELECT fingerprint FROM intelligence_alerts WHERE status = 'firing' AND fingerprint LIKE 'probe:%'
            """).rows
        return Set(rows.compactMap { $0.string("fingerprint").flatMap(ProbeDefinition.name(fromFingerprint:)) })
    }

    /// The status of the newest alert `probe` raised (`firing`, `resolved`, `rejected`), or nil when none.
    public func latestAlertStatus(probe: String) throws -> String? {
        try connection.query("""
            SELECT status FROM intelligence_alerts WHERE fingerprint = $1 ORDER BY created_at DESC LIMIT 1
            """, [ProbeDefinition.fingerprint(of: probe)]).first?.string("status")
    }

    /// The latest samples of one series (`<probe>.<value>`), newest first.
    public func samples(series: String, limit: Int = 100) throws -> [ProbeSample] {
        try connection.query("""
            SELECT probe, at, value, ok, labels::text AS labels_text FROM opsbrain_probe_samples
            WHERE probe = $1 ORDER BY at DESC LIMIT $2
            """, [series, limit]).rows.compactMap { row in
            guard let probe = row.string("probe"), let at = row.date("at"), let value = row.double("value") else { return nil }
            let labels = row.json("labels_text")?.objectValue?.compactMapValues(\.stringValue) ?? [:]
            return ProbeSample(probe: probe, at: at, value: value, ok: row.bool("ok") ?? true, labels: labels)
        }
    }
}
