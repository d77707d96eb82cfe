import OpsBrainCore
#if canImport(Glibc)
import Glibc
#endif

extension LogRotationOperation {
    /// Undoes a rotation: the rotated content goes back in front of whatever was written since,
    /// and the older generations move back down. Generations deleted past `keep` stay deleted.
    func rollback(undo: JSONValue) throws -> OperationOutcome {
        let (rotated, shifted, dropped) = try record(in: undo)
        let deadline = ContinuousClock.now + timeout
        let folder = try OpenDirectory(path: directoryPath)
        var problems: [String] = []
        var writtenSince: Int?
        if let rotated {
            do {
                writtenSince = try restore(rotated, in: folder, until: deadline)
            } catch {
                problems.append("\(error)")
            }
        }
        var movedBack = 0
        for pair in shifted.reversed() {
            do {
                try move(pair[1], to: pair[0], in: folder)
                movedBack += 1
            } catch {
                problems.append("\(error)")
            }
        }
        var summary = "Restored \(file)"
        if let writtenSince { summary += ": rotated content put back in front of \(writtenSince) byte(s) written since" }
        summary += "; moved \(movedBack) older generation(s) back"
        if !dropped.isEmpty { summary += "; deleted generation(s) cannot be restored: " + dropped.joined(separator: ", ") }
        if !problems.isEmpty { summary += "; problems: " + problems.joined(separator: "; ") }
        return OperationOutcome(succeeded: problems.isEmpty, summary: summary, details: .object([
            "written_since": writtenSince.map { .number(Double($0)) } ?? .null,
            "moved_back": .number(Double(movedBack)),
            "not_restored": .array(dropped.map(JSONValue.string)),
            "problems": .array(problems.map(JSONValue.string)),
        ]))
    }

    /// The rotated name, the shifts and the dropped names of an undo record for this log, checked
    /// to name only generations of this log.
    private func record(in undo: JSONValue) throws -> (String?, [[String]], [String]) {
        let invalid = StepFailure("the undo record is not a log_rotation record for \(file)")
        guard undo["file"]?.stringValue == file, let shiftItems = undo["shifted"]?.arrayValue else { throw invalid }
        let rotated = undo["rotated"]?.stringValue
        if let rotated, rotated != name + ".1", rotated != name + ".1.gz" { throw invalid }
        let shifted = shiftItems.compactMap { $0.arrayValue?.compactMap(\.stringValue) }
        guard shifted.count == shiftItems.count,
              shifted.allSatisfy({ $0.count == 2 && $0.allSatisfy { Generation(fileName: $0, base: name) != nil } })
        else { throw invalid }
        let dropped = undo["dropped"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return (rotated, shifted, dropped)
    }

    /// Puts the rotated content back as the log, followed by what the log holds now; returns the
    /// number of bytes written since the rotation.
    private func restore(_ rotated: String, in folder: OpenDirectory, until deadline: ContinuousClock.Instant) throws -> Int {
        let plain = name + ".1"
        if rotated.hasSuffix(".gz") { try gzip(["-d", "--", "\(directoryPath)/\(rotated)"], until: deadline) }
        guard let restored = try folder.info(plain), restored.isRegularFile else {
            throw StepFailure("\(directoryPath)/\(plain) is missing, so the rotated content cannot be put back")
        }
        let appended = try append(name, to: plain, in: folder)
        guard renameat(folder.fd, plain, folder.fd, name) == 0 else {
            throw StepFailure("cannot rename \(plain) to \(name): \(OpenDirectory.lastError())")
        }
        return appended
    }

    /// Appends the content of `source` (if there is one) to `destination`; returns the bytes copied.
    private func append(_ source: String, to destination: String, in folder: OpenDirectory) throws -> Int {
        let input = openat(folder.fd, source, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard input >= 0 else {
            if errno == ENOENT { return 0 }
            throw StepFailure("cannot read \(directoryPath)/\(source): \(OpenDirectory.lastError())")
        }
        defer { close(input) }
        let output = openat(folder.fd, destination, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)
        guard output >= 0 else { throw StepFailure("cannot write \(directoryPath)/\(destination): \(OpenDirectory.lastError())") }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        var total = 0
        while true {
            let count = read(input, &buffer, buffer.count)
            if count == 0 { return total }
            if count < 0 {
                if errno == EINTR { continue }
                throw StepFailure("cannot read \(directoryPath)/\(source): \(OpenDirectory.lastError())")
            }
            var written = 0
            while written < count {
                let result = buffer[written..<count].withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
                if result < 0 && errno == EINTR { continue }
                guard result > 0 else { throw StepFailure("cannot write \(directoryPath)/\(destination): \(OpenDirectory.lastError())") }
                written += result
            }
            total += count
        }
    }
}
