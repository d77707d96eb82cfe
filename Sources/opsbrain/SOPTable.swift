import Foundation
import OpsBrainCore
import OpsBrainPostgres

/// Text layouts for `opsbrain sop list` and `opsbrain sop show`.
enum SOPTable {
    static func render(_ sops: [SOPSummary]) -> String {
        let header = ["NAME", "CATEGORY", "RISK", "AUTO-FIX", "VERSION", "EXECUTIONS", "SUCCESS"]
        let rows = sops.map { sop -> [String] in
            [sop.name + (sop.retired ? " (retired)" : ""), sop.category, sop.risk, autoFixLabel(sop),
             "v\(sop.version)", String(sop.timesExecuted), sop.successRate.map { String(format: "%.0f%%", $0) } ?? "-"]
        }
        return TextTable.render(header: header, rows: rows) + "\n\(sops.count) SOPs"
    }

    /// The SOPs not set up here and the config targets each needs, by name.
    static func renderNotSetUp(_ sops: [(name: String, missing: [String])]) -> String {
        let rows = sops.sorted { $0.name < $1.name }.map { [$0.name, $0.missing.joined(separator: ", ")] }
        return TextTable.render(header: ["NAME", "NEEDS TARGETS"], rows: rows)
            + "\n\(sops.count) SOPs not set up here: define these targets in opsbrain.yaml to activate them"
    }

    static func autoFixLabel(_ sop: SOPSummary) -> String {
        if sop.autoFix && !sop.requiresApproval { return "auto" }
        return sop.autoFix ? "approval" : "no"
    }

    /// `parameters`: the SOP's declared parameters with their values under the config in use.
    static func render(_ detail: SOPDetail, parameters: [SOPParameter]) -> String {
        let sop = detail.summary
        var lines = [
            "\(sop.name)  v\(sop.version)\(sop.retired ? "  (retired)" : "")",
            "  \(detail.description)",
            "",
            "  category   \(sop.category)    agent \(detail.agent)    severity \(detail.severity)    risk \(sop.risk)",
            "  auto-fix   \(autoFixLabel(sop))",
            "  executed   \(sop.timesExecuted) times, \(sop.timesSuccessful) successful"
                + (sop.successRate.map { String(format: " (%.0f%%)", $0) } ?? ""),
            "  avg fix    \(detail.averageResolutionMs.map(formatMillis) ?? "-")",
            "  last run   \(detail.lastExecutedAt.map(formatDate) ?? "never")",
            "  last fail  \(detail.lastFailureAt.map { formatDate($0) + " — " + (detail.lastFailureReason ?? "") } ?? "none")",
            "  file       \(detail.sourcePath)",
            "",
            "  versions:",
        ]
        for version in detail.versions {
            let rate = version.executions > 0 ? String(format: "%.0f%%", Double(version.successes) * 100 / Double(version.executions)) : "-"
            lines.append("    v\(version.version)  synced \(formatDate(version.syncedAt))  \(version.executions) runs  success \(rate)")
        }
        lines += renderParameters(parameters)
        lines.append("")
        lines.append(detail.sourceText)
        return lines.joined(separator: "\n")
    }

    /// One row per parameter: its name, the value here (with the default when the config changes it), its meaning.
    static func renderParameters(_ parameters: [SOPParameter]) -> [String] {
        guard !parameters.isEmpty else { return [] }
        let rows = parameters.map { parameter in
            [parameter.name, parameter.value + (parameter.isOverridden ? " (default \(parameter.defaultValue))" : ""),
             parameter.kind.rawValue, parameter.description]
        }
        let table = TextTable.render(header: ["PARAMETER", "VALUE HERE", "KIND", "MEANING"], rows: rows)
        return ["", "  parameters (set them under sop_parameters in opsbrain.yaml):"]
            + table.split(separator: "\n").map { "    " + $0 }
    }

    static func formatMillis(_ millis: Int) -> String {
        let seconds = millis / 1000
        return seconds >= 60 ? "\(seconds / 60)m \(seconds % 60)s" : "\(seconds)s"
    }

    static func formatDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date) + " UTC"
    }
}

/// Left-aligned text columns sized to their widest cell.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
