//! `bpv-survey`: not built yet (issue #5); says so and exits non-zero rather than pretend.

fn main() -> std::process::ExitCode {
    eprintln!("bpv-survey is not implemented yet (issue #5)");
    std::process::ExitCode::FAILURE
}
