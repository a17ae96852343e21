// Placeholder so the test target builds; remove when adding real tests.
import Testing
