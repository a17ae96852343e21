import Testing

extension Trait where Self == ConditionTrait {
    /// Skips a suite of interop tests when SWARMDEPLOY_SKIP_INTEROP=1.
    public static var interop: Self {
        .disabled(if: Interop.isSkipped, "\(Interop.skipVariable)=1")
    }
}
