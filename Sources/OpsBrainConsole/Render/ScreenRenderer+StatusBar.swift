import OpsBrainCore

extension ScreenRenderer {
    /// The top line: database, engines, leader, mode and counts on the left; badges on the right.
    /// Pieces that do not fit are left out from the least important.
    func drawStatusBar(_ state: ConsoleState, into grid: inout CellGrid) {
        grid.fill(x: 0, y: 0, count: state.width, role: .statusBar)
        let badges = statusBadges(state)
        let badgeWidth = badges.reduce(0) { $0 + TextWidth.of($1.0) + 1 }
        let pieces = statusPieces(state)
        var room = state.width - badgeWidth
        var shown = Set<Int>()
        for index in pieces.indices.sorted(by: { pieces[$0].priority < pieces[$1].priority }) {
            let size = TextWidth.of(glyphs.clean(pieces[index].text))
            if size <= room { shown.insert(index); room -= size }
        }
        var x = 0
        for (index, piece) in pieces.enumerated() where shown.contains(index) {
            x += grid.write(glyphs.clean(piece.text), x: x, y: 0, role: piece.role)
        }
        var right = state.width
        for (text, role) in badges.reversed() {
            right -= TextWidth.of(text) + 1
            guard right >= 0 else { break }
            grid.write(text, x: right + 1, y: 0, role: role)
        }
    }

    /// The status pieces in display order; a lower priority number is kept longer when narrow.
    private func statusPieces(_ state: ConsoleState) -> [(text: String, role: ThemeRole, priority: Int)] {
        let status = state.status
        let counts = status.counts
        var pieces: [(text: String, role: ThemeRole, priority: Int)] = [(" OPS BRAIN ", .statusBar, 6)]
        pieces.append(status.databaseUp ? (" db \(glyphs.dot) up ", .statusBar, 0) : (" db \(glyphs.dot) DOWN ", .error, 0))
        var engine = status.enginesAlive > 0 ? " engine \(glyphs.dot) \(status.enginesAlive) alive " : " engine \(glyphs.dot) none alive "
        if status.localEngine == .running, status.enginesAlive > 0 { engine = " engine \(glyphs.dot) \(status.enginesAlive) alive (1 here) " }
        if case .stopped = status.localEngine { engine = " engine \(glyphs.dot) local stopped " }
        pieces.append((engine, status.enginesAlive > 0 ? .statusBar : .error, 1))
        if let mode = status.mode { pieces.append((" mode \(mode) ", .statusBar, 4)) }
        pieces.append((" firing \(counts.firingAlerts) ", counts.firingAlerts > 0 ? .severityHigh : .statusBar, 3))
        pieces.append((" waiting \(counts.pendingApprovals) ", counts.pendingApprovals > 0 ? .pipelineAwaitingApproval : .statusBar, 2))
        pieces.append((" running \(counts.runningExecutions) ", .statusBar, 5))
        if status.failedNotifications > 0 {
            pieces.append((" notify failed \(status.failedNotifications) ", .error, 3))
        }
        if status.preflightProblems > 0 {
            pieces.append((" preflight \(status.preflightProblems) ", .error, 3))
        }
        if let leader = status.leader { pieces.append((" leader \(leaderLabel(leader)) ", .statusBar, 7)) }
        if let first = status.predictions.first {
            let more = status.predictions.count > 1 ? " (+\(status.predictions.count - 1))" : ""
            pieces.append((" predicted: \(first)\(more) ", .severityMedium, 9))
        }
        if !status.databaseUp { pieces.append((" \(status.databaseText) ", .error, 8)) }
        return pieces
    }

    /// `host:pid` from an engine id `host:pid:tag`.
    private func leaderLabel(_ engineID: String) -> String {
        let parts = engineID.split(separator: ":")
        return parts.count >= 2 ? "\(parts[0]):\(parts[1])" : engineID
    }

    private func statusBadges(_ state: ConsoleState) -> [(String, ThemeRole)] {
        var badges: [(String, ThemeRole)] = []
        if state.readOnly { badges.append((" READ-ONLY ", .bannerReadOnly)) }
        if state.paused {
            let pending = state.changesWhilePaused > 0 ? " +\(state.changesWhilePaused)" : ""
            badges.append((" PAUSED\(pending) ", .bannerPaused))
        }
        return badges
    }
}
