import Push

/// `push --dry-run`: pack and hash for real (to nowhere), contact no host, describe the plan.
enum DryRun {
    static func render(_ plan: PushPlan, quiet: Bool) throws(CommandFailure) -> DryRunPlan {
        if let torrent = plan.torrentFile {
            var progress: ProgressLine?
            let release = try CommandFailure.push { () throws(PushError) in
                try PackedPayload.release(torrent: torrent, payload: plan.payloadFile, seeding: plan.localSeed) { done, total in
                    if progress == nil { progress = ProgressLine(label: "checking", total: total, quiet: quiet) }
                    progress?.update(done)
                }
            }
            progress?.finish()
            return DryRunPlan(plan: plan, release: release)
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
