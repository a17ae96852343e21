/// A test's own set-up went wrong (a tool missing, a fixture that would not start):
/// not what the test checks, but a reason it cannot check it.
public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
