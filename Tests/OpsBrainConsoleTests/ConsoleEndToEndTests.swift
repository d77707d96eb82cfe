import Foundation
import OpsBrainPlatform
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// The real `opsbrain console` under tmux on a real PostgreSQL: an alert that needs approval arrives
/// live, is approved with keystrokes, and the execution row and audit trail say who approved it.
final class ConsoleEndToEndTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(ProcessRunner.resolveExecutable("tmux") != nil, "tmux is not installed (apt-get install tmux)")
    }

    /// The console under test; `directory` is where it starts (where `E` writes drafts), else the test's own.
    func consoleCommand(_ database: ConsoleTestDatabase, extra: String = "", locale: String = "C.UTF-8",
                        environment: String = "", directory: String? = nil) throws -> String {
        let binary = try XCTUnwrap(OpsBrainBinary.path(), "build the opsbrain executable first")
        return (directory.map { "cd '\($0)' && " } ?? "") + "env -u NO_COLOR LANG=\(locale) LC_ALL=\(locale) TZ=UTC "
            + "SSH_CONNECTION='203.0.113.9 51000 10.0.0.1 22' \(environment) '\(binary)' console --database-url '\(database.url)' "
            + "--config '\(database.configPath)' "
            + "--log-file '\(database.folder)/console.log' \(extra); echo CONSOLE-EXIT-$?; sleep 30"
    }

    private func waitForRow(_ connection: PostgresConnection, _ sql: String, timeout: TimeInterval = 30) throws -> Row? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let row = try connection.query(sql).first { return row }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return nil
    }

    func testApprovingAFixWithKeystrokes() throws {
        let database = try ConsoleTestDatabase()
        try database.connection.query("INSERT INTO jobs (status) VALUES ('failed'), ('failed')")
        let tmux = try TmuxSession(command: try consoleCommand(database), width: 120, height: 36)
        tmux.waitFor("OPS BRAIN")
        tmux.waitFor("engine ● 1 alive", timeout: 15)
        try tmux.send("3")
        tmux.waitFor("nothing waiting for approval")

        try database.connection.query("""
            INSERT INTO intelligence_alerts (alert_type, title, severity, source) VALUES ('jobs_failed', 'Nightly export jobs failing', 'high', 'sql')
            """)
        let waiting = try XCTUnwrap(try waitForRow(database.connection,
                                                   "SELECT id FROM self_healing_executions WHERE status = 'awaiting_approval'"),
                                    "the in-process engine diagnosed the alert and asked for approval")
        let id = try XCTUnwrap(waiting.uuid("id"))
        tmux.waitFor("Nightly export jobs failing", timeout: 5)
        tmux.waitFor("queue_retry", timeout: 5)

        try tmux.send("A")
        tmux.waitFor("Approve this fix?")
        XCTAssertTrue(tmux.screen().contains(id.uuidString.lowercased()), "the dialog shows the target:\n\(tmux.screen())")
        XCTAssertNil(try database.connection.query("SELECT approved_by FROM self_healing_executions WHERE id = $1::uuid", [id])
            .first?.string("approved_by"), "nothing happens before the confirmation")
        try tmux.send("y")

        let user = UserAccount.currentName
        let done = try XCTUnwrap(try waitForRow(database.connection, """
            SELECT status, approved_by FROM self_healing_executions
            WHERE id = '\(id.uuidString.lowercased())' AND status NOT IN ('awaiting_approval', 'fixing', 'verifying')
            """), "the execution moved on after the approval")
        XCTAssertEqual(done.string("approved_by"), user)
        XCTAssertEqual(done.string("status"), "success")
        let audit = try database.connection.query("""
            SELECT actor, message, details->>'from' AS origin FROM self_healing_audit_log
            WHERE execution_id = $1::uuid AND kind = 'approval_approved'
            """, [id]).rows
        XCTAssertEqual(audit.count, 1)
        XCTAssertEqual(audit.first?.string("actor"), "human:\(user)")
        XCTAssertEqual(audit.first?.string("origin"), "203.0.113.9", "the SSH client address is recorded")
        XCTAssertEqual(try database.connection.query("SELECT count(*) AS n FROM jobs WHERE status = 'failed'").first?.int("n"), 0,
                       "the approved fix ran")
        tmux.waitFor("nothing waiting for approval", timeout: 5)

        try tmux.send("q")
        tmux.waitFor("CONSOLE-EXIT-0")
        XCTAssertTrue(tmux.screen().contains("console closed; the local engine stopped"), tmux.screen())
    }

    func testRejectWithAReasonAndRollBackFromTheRunsView() throws {
        let database = try ConsoleTestDatabase()
        try database.connection.query("INSERT INTO jobs (status) VALUES ('failed'), ('failed')")
        let tmux = try TmuxSession(command: try consoleCommand(database, directory: database.folder), width: 130, height: 40)
        tmux.waitFor("engine ● 1 alive", timeout: 15)
        try database.connection.query("""
            INSERT INTO intelligence_alerts (alert_type, title, severity, fingerprint) VALUES ('jobs_failed', 'first batch', 'high', 'a')
            """)
        let first = try XCTUnwrap(try waitForRow(database.connection,
                                                 "SELECT id FROM self_healing_executions WHERE status = 'awaiting_approval'")?.uuid("id"))
        try tmux.send("2")
        tmux.waitFor("awaiting approval")
        try tmux.send("R")
        tmux.waitFor("reason to reject")
        try tmux.send("maintenance window tonight")
        try tmux.send("Enter", literal: false)
        tmux.waitFor("Reject this fix?")
        try tmux.send("y")
        let rejected = try XCTUnwrap(try waitForRow(database.connection, """
            SELECT human_notes, approved_by FROM self_healing_executions WHERE id = '\(first.uuidString.lowercased())' AND status = 'rejected'
            """))
        XCTAssertEqual(rejected.string("human_notes"), "maintenance window tonight")

        try database.connection.query("""
            INSERT INTO intelligence_alerts (alert_type, title, severity, fingerprint) VALUES ('jobs_failed', 'second batch', 'high', 'b')
            """)
        let second = try XCTUnwrap(try waitForRow(database.connection,
                                                  "SELECT id FROM self_healing_executions WHERE status = 'awaiting_approval'")?.uuid("id"))
        tmux.waitFor("second batch")
        try tmux.send("/\(second.uuidString.lowercased().prefix(8))")
        try tmux.send("Enter", literal: false)
        // The filtered list has arrived (one run, under the filter) before a key acts on its row:
        // the console reads on its reader thread, so the unfiltered rows stay on screen until then.
        tmux.waitFor("Runs 1 ─ /\(second.uuidString.lowercased().prefix(8))")
        tmux.waitFor("second batch")
        tmux.waitFor("A approves, R rejects", timeout: 10) // the detail, with the fix's risk, is loaded
        try tmux.send("Ay")
        XCTAssertNotNil(try waitForRow(database.connection, """
            SELECT 1 FROM self_healing_executions WHERE id = '\(second.uuidString.lowercased())' AND status = 'success'
            """), "approved from the Runs view, fixed and verified")
        tmux.waitFor("[success]")
        try tmux.send("B")
        tmux.waitFor("Roll back this fix?")
        try tmux.send("y")
        try tmux.send("Enter", literal: false)
        tmux.waitFor("type 'rollback' exactly")
        try tmux.send("Escape", literal: false)
        tmux.waitFor("cancelled: nothing was changed")
        try tmux.send("B")
        tmux.waitFor("Roll back this fix?")
        try tmux.send("rollback")
        try tmux.send("Enter", literal: false)
        let rolledBack = try XCTUnwrap(try waitForRow(database.connection, """
            SELECT rollback_requested_by FROM self_healing_executions WHERE id = '\(second.uuidString.lowercased())' AND status = 'rolled_back'
            """), "the engine undid the fix")
        XCTAssertEqual(rolledBack.string("rollback_requested_by"), UserAccount.currentName)
        XCTAssertEqual(try database.connection.query("SELECT count(*) AS n FROM jobs WHERE status = 'failed'").first?.int("n"), 2,
                       "the jobs are back as they were")
        tmux.waitFor("[rolled back]")
        try tmux.send("i")
        tmux.waitFor("Time to each stage")
        tmux.waitFor("approval decided")
        try tmux.send("E")
        tmux.waitFor("postmortem draft written to")
        let drafts = try FileManager.default.contentsOfDirectory(atPath: database.folder).filter { $0.hasPrefix("postmortem-") }
        XCTAssertEqual(drafts.count, 1, "one draft in the directory the console started in")
        let draft = try String(contentsOfFile: "\(database.folder)/\(drafts.first ?? "")", encoding: .utf8)
        XCTAssertTrue(draft.contains("rolled_back") || draft.contains("rolled back"), draft)
        XCTAssertTrue(draft.contains(UserAccount.currentName), "who decided\n\(draft)")
        try tmux.send("q")
        tmux.waitFor("CONSOLE-EXIT-0")
    }

    func testAcknowledgeAndSnoozeShowInTheOtherConsole() throws {
        let database = try ConsoleTestDatabase()
        try database.connection.query("""
            INSERT INTO intelligence_alerts (alert_type, title, severity, source) VALUES ('disk_full', 'Disk full on db-7', 'high', 'sql')
            """)
        let ana = try TmuxSession(command: try consoleCommand(database, extra: "--no-engine"), width: 160, height: 40)
        let bo = try TmuxSession(command: try consoleCommand(database, extra: "--no-engine"), width: 160, height: 40)
        for console in [ana, bo] {
            console.waitFor("Disk full on db-7")
            console.waitFor("firing 1")
        }
        bo.waitFor("\(UserAccount.currentName) is viewing", timeout: 15) // the other console has the alert selected
        try ana.send("a")
        ana.waitFor("acknowledged as \(UserAccount.currentName)")
        bo.waitFor("acked")
        bo.waitFor("by \(UserAccount.currentName) at ")
        try ana.send("z")
        ana.waitFor("snooze ")
        try ana.send("1h")
        try ana.send("Enter", literal: false)
        bo.waitFor("snoozed")
        bo.waitFor("firing 0", timeout: 15)
        bo.waitFor("left)")
        let audit = try database.connection.query("""
            SELECT kind, actor FROM self_healing_audit_log WHERE kind IN ('alert_acknowledged', 'alert_snoozed') ORDER BY id
            """).rows
        XCTAssertEqual(audit.map { $0.string("kind") }, ["alert_acknowledged", "alert_snoozed"])
        XCTAssertEqual(Set(audit.compactMap { $0.string("actor") }), ["human:\(UserAccount.currentName)"])
        for console in [ana, bo] {
            try console.send("q")
            console.waitFor("CONSOLE-EXIT-0")
        }
    }

    func testAHighRiskApprovalNeedsTheTypedWord() throws {
        let database = try ConsoleTestDatabase()
        try ConsoleTestDatabase.jobsSOP.replacingOccurrences(of: "risk: low", with: "risk: high")
            .write(toFile: "\(database.folder)/SOPs/data/failed-jobs.md", atomically: true, encoding: .utf8)
        try database.connection.query("INSERT INTO jobs (status) VALUES ('failed')")
        let tmux = try TmuxSession(command: try consoleCommand(database), width: 120, height: 36)
        tmux.waitFor("engine ● 1 alive", timeout: 15)
        try database.connection.query("""
            INSERT INTO intelligence_alerts (alert_type, title, severity, source) VALUES ('jobs_failed', 'Risky batch', 'high', 'sql')
            """)
        let id = try XCTUnwrap(try waitForRow(database.connection,
                                              "SELECT id FROM self_healing_executions WHERE status = 'awaiting_approval'")?.uuid("id"))
        try tmux.send("3")
        tmux.waitFor("Risky batch")
        try tmux.send("Ay")
        tmux.waitFor("Type 'failed-jobs' or 'approve': y_")
        try tmux.send("Enter", literal: false)
        tmux.waitFor("exactly to confirm")
        XCTAssertNil(try database.connection.query("SELECT approved_by FROM self_healing_executions WHERE id = $1::uuid", [id])
            .first?.string("approved_by"), "y is not enough for a high-risk fix")
        try tmux.send("BSpace", literal: false)
        try tmux.send("failed-jobs")
        try tmux.send("Enter", literal: false)
        XCTAssertNotNil(try waitForRow(database.connection, """
            SELECT 1 FROM self_healing_executions WHERE id = '\(id.uuidString.lowercased())' AND approved_by IS NOT NULL
            """), "the SOP's name typed approves")
        try tmux.send("q")
        tmux.waitFor("CONSOLE-EXIT-0")
    }

    func testAConsoleWithoutAConfigSaysItsChecksReachNothing() throws {
        let database = try ConsoleTestDatabase()
        let binary = try XCTUnwrap(OpsBrainBinary.path(), "build the opsbrain executable first")
        let empty = try TemporaryDirectory.make(prefix: "ob-noconfig")
        let tmux = try TmuxSession(command: "cd '\(empty)' && env -u OPSBRAIN_CONFIG HOME='\(empty)' XDG_CONFIG_HOME='\(empty)' LANG=C.UTF-8 "
                                   + "'\(binary)' console --no-engine --database-url '\(database.url)' --log-file '\(empty)/console.log'; "
                                   + "echo CONSOLE-EXIT-$?; sleep 30", width: 200, height: 30)
        tmux.waitFor("no config file")
        XCTAssertTrue(tmux.screen().contains("no targets, so checks and dry runs reach nothing"), tmux.compactScreen())
        try tmux.send("q")
        tmux.waitFor("CONSOLE-EXIT-0")
    }

    func testResizeNarrowTooSmallAndASCII() throws {
        let database = try ConsoleTestDatabase()
        let tmux = try TmuxSession(command: try consoleCommand(database, extra: "--no-engine --readonly --theme mono", locale: "C"),
                                   width: 100, height: 30)
        tmux.waitFor("READ-ONLY")
        XCTAssertTrue(tmux.screen().unicodeScalars.allSatisfy { $0.value < 0x80 }, "no UTF-8 locale: ASCII only\n\(tmux.screen())")
        XCTAssertTrue(tmux.screen().contains("engine o none alive"), tmux.screen())
        try tmux.resize(width: 40, height: 10)
        tmux.waitFor("terminal too small: need 50x12")
        try tmux.resize(width: 60, height: 20)
        tmux.waitFor("Alerts")
        try tmux.send("q")
        tmux.waitFor("CONSOLE-EXIT-0")
    }

    func testNoColorKeepsAttributesButSendsNoColours() throws {
        let database = try ConsoleTestDatabase()
        let coloured = try TmuxSession(command: try consoleCommand(database, extra: "--no-engine"), width: 100, height: 30)
        coloured.waitFor("OPS BRAIN")
        let colour = try NSRegularExpression(pattern: "\u{1b}\\[(?:[0-9]+;)*(?:3[0-7]|4[0-7]|9[0-7]|10[0-7]|38|48)[;m]")
        func colours(_ text: String) -> Int { colour.numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text)) }
        let painted = try coloured.tmux(["capture-pane", "-p", "-e", "-t", coloured.name])
        XCTAssertGreaterThan(colours(painted), 0, "colours by default:\n\(painted.debugDescription.prefix(600))")
        let plain = try TmuxSession(command: try consoleCommand(database, extra: "--no-engine", environment: "NO_COLOR=1"), width: 100, height: 30)
        plain.waitFor("OPS BRAIN")
        let escapes = try plain.tmux(["capture-pane", "-p", "-e", "-t", plain.name])
        XCTAssertEqual(colours(escapes), 0, "NO_COLOR: no colour at all (only the default-colour resets)")
        XCTAssertTrue(escapes.contains("7m"), "the status bar and cursor are reversed instead")
        for session in [coloured, plain] {
            try session.send("q")
            session.waitFor("CONSOLE-EXIT-0")
        }
    }

    func testHangUpEndsTheConsole() throws {
        let database = try ConsoleTestDatabase()
        let tmux = try TmuxSession(command: try consoleCommand(database, extra: "--no-engine"), width: 100, height: 30)
        tmux.waitFor("OPS BRAIN")
        let shell = try XCTUnwrap(try tmux.panePID())
        let console = try XCTUnwrap(Self.child(of: shell, named: "opsbrain"), "the console process")
        try tmux.tmux(["kill-session", "-t", tmux.name])
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, kill(console, 0) == 0 { Thread.sleep(forTimeInterval: 0.1) }
        XCTAssertNotEqual(kill(console, 0), 0, "the console ended when its terminal went away")
    }

    /// A direct child process of `parent` whose command name starts with `name`.
    static func child(of parent: Int32, named name: String) -> Int32? {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            for entry in entries {
                guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { continue }
                let command = stat[stat.index(after: stat.firstIndex(of: "(")!)..<close]
                let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
                if fields.count > 1, Int32(fields[1]) == parent, command.hasPrefix(name) { return pid }
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return nil
    }
}
