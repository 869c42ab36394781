//! `bpv`: the BPV Monitor's command line — `bpv demo`, `bpv migrate`, `bpv admin …`.

fn main() -> std::process::ExitCode {
    bpv_cli::run(std::env::args_os())
}
