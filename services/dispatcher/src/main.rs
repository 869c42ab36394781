//! `bpv-dispatcher`: not built yet (issue #4); says so and exits non-zero rather than pretend.

fn main() -> std::process::ExitCode {
    eprintln!("bpv-dispatcher is not implemented yet (issue #4)");
    std::process::ExitCode::FAILURE
}
