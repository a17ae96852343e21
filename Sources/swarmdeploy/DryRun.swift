import Push

/// `push --dry-run`: pack and hash for real (to nowhere), contact no host, describe the plan.
enum DryRun {
    static func render(_ plan: PushPlan, quiet: Bool) throws(CommandFailure) -> DryRunPlan {
        if let torrent = plan.torrentFile {
            return DryRunPlan(plan: plan, release: try ReleaseCheck.run(plan, torrent: torrent, quiet: quiet))
        }
        let manifest = try CommandFailure.push { () throws(PushError) in try plan.scanSource() }
        let progress = ProgressLine(label: "hashing", total: manifest.tarLength, quiet: quiet)
        let payload = try CommandFailure.push { () throws(PushError) in
            try plan.hash(manifest) { done, _ in progress.update(done) }
        }
        progress.finish()
        return DryRunPlan(plan: plan, payload: payload)
    }
}
