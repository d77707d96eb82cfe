import Foundation
import OpsBrainDocuments

/// Reads SOP files from disk for the pure linter: `.md` files under folders, or single files.
public enum SOPFiles {
    /// The sources found under `paths`, plus problems reading them (as lint issues).
    public static func collect(_ paths: [String]) -> (sources: [SOPSource], problems: [DocumentIssue]) {
        var sources: [SOPSource] = []
        var problems: [DocumentIssue] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                problems.append(DocumentIssue(file: path, line: 0, level: .error, message: "no such file or folder"))
                continue
            }
            let files = isDirectory.boolValue ? markdownFiles(under: path) : [path]
            for file in files {
                if let source = read(file) { sources.append(source) } else {
                    problems.append(DocumentIssue(file: file, line: 0, level: .error, message: "cannot read the file"))
                }
            }
        }
        return (sources, problems)
    }

    private static func markdownFiles(under folder: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: folder)
        var files: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if relative.hasSuffix(".md"), name != "README.md", !name.hasPrefix(".") {
                files.append((folder as NSString).appendingPathComponent(relative))
            }
        }
        return files.sorted()
    }

    /// Reads at most one byte more than the size limit, so a huge file is refused without loading it.
    private static func read(_ path: String) -> SOPSource? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: SOPParser.maxFileBytes + 1) else { return SOPSource(path: path, bytes: []) }
        return SOPSource(path: path, bytes: [UInt8](data))
    }

    /// `path` relative to `folder`, as stored in the database.
    public static func relative(_ path: String, to folder: String) -> String {
        let base = (folder as NSString).standardizingPath + "/"
        let full = (path as NSString).standardizingPath
        return full.hasPrefix(base) ? String(full.dropFirst(base.count)) : full
    }
}
