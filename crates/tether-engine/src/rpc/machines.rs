//! `machines.list`: the computers running `tether agent` for this hub, online or not.

use crate::engine::Engine;
use tether_protocol::machine::Machine;
use tether_protocol::params::NoParams;

pub(super) fn list(engine: &Engine, _: NoParams) -> Vec<Machine> {
    engine.machines().list(&engine.devices().list())
}
