// Feeds a file's bytes, read as the CLI reads it (UTF-8 text), to Deployfile.parse (YAML through Yams),
// then lays the result over the default settings. Checks parsing is repeatable and the destination is applied.
import DeployConfiguration
import Foundation
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDeployfile(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = fuzzBytes(start, count)
    guard let text = String(data: Data(bytes), encoding: .utf8) else { return 0 }
    let file: Deployfile
    do {
        file = try Deployfile.parse(text, path: "/fuzz/Deployfile")
    } catch {
        _ = "\(error)"
        return 0
    }
    expect((try? Deployfile.parse(text, path: "/fuzz/Deployfile")) == file, "parsing the same text twice differs")
    var settings = PushSettings.defaults
    settings.apply(file)
    if let destination = file.destination {
        expect(settings.destination == destination, "the destination was not applied")
    }
    return 0
}
