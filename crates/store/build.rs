//! `embed_migrations!` tracks the migration files it embeds, not the folders: without this a new
//! migration would not be picked up by an incremental build of this crate.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations/postgres");
    println!("cargo:rerun-if-changed=../../migrations/sqlite");
}
