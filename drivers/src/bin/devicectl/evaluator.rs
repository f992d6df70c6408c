//! `devicectl evaluator …` (being written).

use clap::Subcommand;

use crate::Failure;

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// (being written)
    Todo,
}

pub fn run(_cmd: &Cmd, _sim: bool) -> Result<(), Failure> {
    Err(Failure::new(Failure::OTHER, "尚未实现 / not implemented yet"))
}
