//! `bpv-dispatcher`: the cron mail dispatcher (see `bpv-dispatcher --help`).

fn main() -> std::process::ExitCode {
    bpv_dispatcher::cli::main(std::env::args_os())
}
