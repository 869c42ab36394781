//! `bpv-reporting-api`: not built yet (issue #6); says so and exits non-zero rather than pretend.

fn main() -> std::process::ExitCode {
    eprintln!("bpv-reporting-api is not implemented yet (issue #6)");
    std::process::ExitCode::FAILURE
}
