import Foundation
import OpsBrainCore

extension TempCleanupOperation {
    /// Moves the files listed in `undo` back from quarantine, never replacing a file that has
    /// reappeared at the same place (those stay in quarantine and are reported).
    func rollback(undo: JSONValue) throws -> OperationOutcome {
        let (quarantine, files) = try Self.record(in: undo, directory: directory, quarantineBase: quarantineBase)
        guard FileManager.default.fileExists(atPath: quarantine) else {
            throw StepFailure("quarantine \(quarantine) is gone: it is purged \(DurationSyntax.format(self.quarantine.retention)) after the cleanup, "
                              + "so nothing can be put back")
        }
        var sources: [String: OpenDirectory] = ["": try OpenDirectory(path: quarantine)]
        var destinations: [String: OpenDirectory] = ["": try OpenDirectory(path: directory)]
        var restored = 0
        var conflicts: [String] = []
        var problems: [String] = []
        for file in files {
            let parent = file.split(separator: "/").dropLast().joined(separator: "/")
            let name = String(file.split(separator: "/").last!)
            do {
                let source = try Self.folder(parent, in: &sources, createMode: nil)
                let destination = try Self.folder(parent, in: &destinations, createMode: 0o755)
                try source.move(name, to: destination, as: name)
                restored += 1
            } catch OpenDirectory.MoveError.destinationExists {
                conflicts.append(file)
            } catch OpenDirectory.MoveError.failed(let message) {
                problems.append(message)
            } catch {
                problems.append("\(file): \(error)")
            }
        }
        try removeEmptyFolders(of: files, in: &sources, quarantine: quarantine)
        return outcome(restored: restored, of: files.count, quarantine: quarantine, conflicts: conflicts, problems: problems)
    }

    /// The quarantine folder and relative file paths of a temp_cleanup undo record for `directory`.
    private static func record(in undo: JSONValue, directory: String, quarantineBase: String) throws -> (String, [String]) {
        guard undo["directory"]?.stringValue == directory, let quarantine = undo["quarantine"]?.stringValue,
              quarantine.hasPrefix(quarantineBase + "/"), !quarantine.dropFirst(quarantineBase.count + 1).contains("/"),
              let items = undo["files"]?.arrayValue else {
            throw StepFailure("the undo record is not a temp_cleanup record for \(directory)")
        }
        let files = items.compactMap(\.stringValue)
        guard files.count == items.count else { throw StepFailure("the undo record's files must be strings") }
        for file in files {
            let parts = file.split(separator: "/", omittingEmptySubsequences: false)
            guard !file.hasPrefix("/"), parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
                throw StepFailure("the undo record holds an unsafe path: \(file)")
            }
        }
        return (quarantine, files)
    }

    /// Removes the quarantine folders of `files` that are empty now, deepest first.
    private func removeEmptyFolders(of files: [String], in folders: inout [String: OpenDirectory], quarantine: String) throws {
        var nested: Set<String> = []
        for file in files {
            let parts = file.split(separator: "/").dropLast()
            for depth in parts.indices { nested.insert(parts[...depth].joined(separator: "/")) }
        }
        for path in nested.sorted(by: { $0.split(separator: "/").count > $1.split(separator: "/").count }) {
            let parent = path.split(separator: "/").dropLast().joined(separator: "/")
            guard let folder = try? Self.folder(parent, in: &folders, createMode: nil) else { continue }
            folder.removeEmptyDirectory(String(path.split(separator: "/").last!))
        }
        _ = try OpenDirectory(path: quarantineBase).removeEmptyDirectory(String(quarantine.split(separator: "/").last!))
    }

    private func outcome(restored: Int, of total: Int, quarantine: String, conflicts: [String], problems: [String]) -> OperationOutcome {
        var summary = "Moved \(restored) of \(total) file(s) back from quarantine \(quarantine) to \(directory)"
        if !conflicts.isEmpty {
            summary += "; \(conflicts.count) left in quarantine because a file reappeared at the same path: "
                + conflicts.prefix(5).joined(separator: ", ")
        }
        if !problems.isEmpty { summary += "; \(problems.count) could not be moved: \(problems[0])" }
        return OperationOutcome(
            succeeded: conflicts.isEmpty && problems.isEmpty,
            summary: summary,
            details: .object([
                "restored": .number(Double(restored)),
                "conflicts": .array(conflicts.prefix(Self.problemLimit).map(JSONValue.string)),
                "problems": .array(problems.prefix(Self.problemLimit).map(JSONValue.string)),
                "quarantine": .string(quarantine),
            ]))
    }
}
