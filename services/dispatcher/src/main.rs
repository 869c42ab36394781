//! `bpv-dispatcher`: the cron mail dispatcher (see `bpv-dispatcher --help`).

/// The same allocator in every binary: mimalloc rather than glibc's (docs/architecture.md,
/// "Performance, round two").
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    bpv_dispatcher::cli::main(std::env::args_os())
}
