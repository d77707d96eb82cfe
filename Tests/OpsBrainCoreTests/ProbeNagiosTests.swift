import OpsBrainCore
import XCTest

/// Nagios plugin output: exit codes to states, status text, and perfdata items.
final class ProbeNagiosTests: XCTestCase {
    func testExitCodesAreStates() {
        XCTAssertEqual(NagiosOutput.State(exitCode: 0), .ok)
        XCTAssertEqual(NagiosOutput.State(exitCode: 1), .warning)
        XCTAssertEqual(NagiosOutput.State(exitCode: 2), .critical)
        XCTAssertEqual(NagiosOutput.State(exitCode: 3), .unknown)
        XCTAssertEqual(NagiosOutput.State(exitCode: 127), .unknown)
        XCTAssertEqual(NagiosOutput.State(exitCode: -1), .unknown)
    }

    func testCheckDiskLine() {
        let output = NagiosOutput(exitCode: 1, output: "DISK WARNING - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968\n")
        XCTAssertEqual(output.state, .warning)
        XCTAssertEqual(output.summary, "DISK WARNING - free space: / 3326 MB (56%);")
        XCTAssertEqual(output.perfdata, [PerfDatum(label: "/", value: 2643, unit: "MB", warning: "5948", critical: "5958",
                                                   minimum: 0, maximum: 5968)])
    }

    func testSeveralItemsQuotedLabelsAndRanges() {
        let text = "PING OK - rta 0.5ms | 'rta avg'=0.5ms;100.0;500.0;0 'it''s'=3 pl=0%;@10:20;~:80 time=1.5e-3s"
        let items = NagiosOutput(exitCode: 0, output: text).perfdata
        XCTAssertEqual(items.map(\.label), ["rta avg", "it's", "pl", "time"])
        XCTAssertEqual(items[0].value, 0.5)
        XCTAssertEqual(items[0].unit, "ms")
        XCTAssertEqual(items[0].maximum, nil)
        XCTAssertEqual(items[1].unit, "")
        XCTAssertEqual(items[2].warning, "@10:20")
        XCTAssertEqual(items[2].critical, "~:80")
        XCTAssertEqual(items[3].value, 0.0015, accuracy: 1e-9)
        XCTAssertEqual(items[3].unit, "s")
    }

    func testPerfdataInLongTextRunsToTheEnd() {
        let text = "LOAD OK - load average: 0.20\nper-CPU detail\nmore text | load5=0.2;;;0\nload15=0.1;4;8\n"
        let output = NagiosOutput(exitCode: 0, output: text)
        XCTAssertEqual(output.summary, "LOAD OK - load average: 0.20")
        XCTAssertEqual(output.perfdata.map(\.label), ["load5", "load15"])
        XCTAssertEqual(output.perfdata[1].critical, "8")
    }

    func testUndeterminedAndMalformedItemsAreSkipped() {
        let items = NagiosOutput(exitCode: 3, output: "UNKNOWN | a=U;1;2 junk b= =5 c=abc d=4c ''=1").perfdata
        XCTAssertEqual(items, [PerfDatum(label: "d", value: 4, unit: "c")])
    }

    func testNoPerfdata() {
        let output = NagiosOutput(exitCode: 2, output: "CRITICAL - connection refused")
        XCTAssertEqual(output.summary, "CRITICAL - connection refused")
        XCTAssertTrue(output.perfdata.isEmpty)
        XCTAssertEqual(NagiosOutput(exitCode: 0, output: "").summary, "")
    }
}
