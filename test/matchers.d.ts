// Brings the global type declarations of cdktf's jest matchers into every test file.
import "cdktf/lib/testing/adapters/jest";
