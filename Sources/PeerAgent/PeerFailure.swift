/// Something a peer command could not do, said in a sentence for the controller's report.
public struct PeerFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Extraction failed (as opposed to the download feeding it).
struct ExtractionFailure: Error, CustomStringConvertible {
    let error: any Error
    var description: String { String(describing: error) }
}
