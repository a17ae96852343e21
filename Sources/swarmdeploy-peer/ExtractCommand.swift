import ArgumentParser
import Archive

/// Safely unpacks a tarball into a fresh directory.
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Extract a .tar or .tar.gz into a new directory, refusing entries that would escape it.",
        discussion: "The directory must not exist yet (or be empty); absolute paths, '..', escaping links and device files are refused."
    )

    @Argument(help: "The .tar or .tar.gz file.") var archive: String
    @Option(help: ArgumentHelp("Directory to create and extract into.", valueName: "dir")) var into: String
    @Option(help: ArgumentHelp("Refuse to write more than this many bytes (default: 64 GiB).", valueName: "bytes"))
    var maxBytes: Int64 = 64 << 30

    func run() throws {
        var limits = ExtractionLimits()
        limits.maxBytes = maxBytes
        // Room for the padding of an archive aligned to the largest pieces a torrent may have.
        limits.maxExtensionBytes = ExtractionLimits.extensionBytes(forPieceLength: 64 << 20)
        let summary = try SafeExtractor(destination: into, limits: limits).extract(archiveAt: archive)
        print("extracted \(summary.files) files, \(summary.directories) directories, \(summary.symlinks) symlinks (\(summary.bytes) bytes) into \(into)")
    }
}
