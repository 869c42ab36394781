//! `bpv-school-api`: not built yet (issue #3); says so and exits non-zero rather than pretend.

fn main() -> std::process::ExitCode {
    eprintln!("bpv-school-api is not implemented yet (issue #3)");
    std::process::ExitCode::FAILURE
}
