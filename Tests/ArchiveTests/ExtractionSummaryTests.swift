import Foundation
import Testing
import TestSupport

import Archive

/// The summary counts what the extraction made, whatever the archive repeats.
@Suite struct ExtractionSummaryTests {
    /// Found by FuzzTar: `tar cf x.tar d d` names the directory twice, and the summary
    /// counted two directories where one was made.
    @Test func directoryNamedTwiceCountsOnce() throws {
        let zeros = { (count: Int) in [UInt8](repeating: 0, count: count) }
        // GNU tar's header for "d/" (mode 0755, root:root), exactly as it wrote it.
        let header: [UInt8] =
            Array("d/".utf8) + zeros(98)
            + Array("0000755\u{0}0000000\u{0}0000000\u{0}00000000000\u{0}15305216706\u{0}010004\u{0} 5".utf8)
            + zeros(100) + Array("ustar  \u{0}root".utf8) + zeros(28) + Array("root".utf8) + zeros(211)
        let archive = header + header + zeros(1024)

        try withTemporaryDirectory { tmp in
            let summary = try SafeExtractor(destination: tmp.path("out"), limits: ExtractionLimits()).extract(bytes: archive)
            #expect(summary == ExtractionSummary(files: 0, directories: 1, symlinks: 0, bytes: 0))
            #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path("out")) == ["d"])
        }
    }
}
