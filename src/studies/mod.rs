//! Studies of particular papers: the top library layer, above the jobs (run, sweep, batch,
//! shard) and below the command line. A study combines jobs into the checks one paper needs;
//! nothing below it imports it.

pub mod williams2018;
