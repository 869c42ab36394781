//! `bpv`: the BPV Monitor's command line — `bpv demo`, `bpv migrate`, `bpv admin …`.

/// mimalloc rather than glibc's allocator: the results index, loaded at start and on every
/// publication, is millions of small allocations, and loads in half the time with it
/// (docs/architecture.md, "Performance, round two").
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // `bpv demo` serves the upload service in this process (bpv_web::service's reason); nothing
    // else `bpv` runs needs huge pages, and the results service in production is its own binary.
    let _ = bpv_web::service::without_transparent_huge_pages();
    bpv_cli::run(std::env::args_os())
}
