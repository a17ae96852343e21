#if canImport(Glibc)
import Glibc
#endif

/// Writes the seed corpora under Fuzz/Corpus/<target>/ from the project's own writers, so
/// the fuzzers start from well-formed input. Run by `scripts/fuzz.sh --seeds`.
///
/// Built with the fuzzers' flags to reuse their build, so libFuzzer owns `main`: the seeds
/// are written from its initialization hook, and the program exits before any fuzzing.
@_cdecl("LLVMFuzzerInitialize")
public func writeSeeds(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutableRawPointer?) -> CInt {
    let arguments = CommandLine.arguments
    guard arguments.count == 3 else {
        fatalError("usage: FuzzSeeds REPOSITORY-ROOT CORPUS-DIRECTORY")
    }
    let seeds = Seeds(repository: arguments[1], corpus: arguments[2])
    do {
        try seeds.bencodeAndTorrents()
        try seeds.peerWire()
        try seeds.tracker()
        try seeds.archives()
        try seeds.configuration()
        try seeds.peerJob()
    } catch {
        fatalError("writing seeds failed: \(error)")
    }
    exit(0)
}

/// Never reached: the hook above exits first.
@_cdecl("LLVMFuzzerTestOneInput")
public func noFuzzing(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    0
}

/// Where seeds go, and how one is written.
struct Seeds {
    let repository: String
    let corpus: String

    func write(_ target: String, _ name: String, _ bytes: [UInt8]) throws {
        let directory = corpus + "/" + target
        mkdir(directory, 0o755)
        try writeFile(directory + "/" + name, bytes)
    }

    func write(_ target: String, _ name: String, _ text: String) throws {
        try write(target, name, Array(text.utf8))
    }

    /// A file of the repository, such as Deployfile.sample.
    func repositoryFile(_ path: String) throws -> [UInt8] {
        try readFile(repository + "/" + path)
    }
}
