//! The hub's runs before any link: queued while the machine is offline, bounded, forgotten.

use super::{MAX_INPUTS, Machines};
use tether_protocol::machine::RunSpec;

fn spec() -> RunSpec {
    RunSpec {
        project_id: "p".into(),
        resume: None,
        fork: false,
        model: None,
        permission_mode: "default".into(),
    }
}

#[tokio::test]
async fn a_run_for_an_offline_machine_waits_with_its_input_queued_and_bounded() {
    let machines = Machines::default();
    let mut run = machines.start("m1", spec());
    assert!(run.is_waiting(&machines));
    for n in 0..MAX_INPUTS {
        run.write(&machines, &format!("line {n}\n")).unwrap();
    }
    assert!(
        run.write(&machines, "one too many\n").is_err(),
        "input past the bound is refused, not kept"
    );
    let queued = machines.lock().runs.values().next().unwrap().1.inputs.len();
    assert_eq!(queued, MAX_INPUTS);
    assert_eq!(run.stop(&machines), None, "it never ran");
    assert!(
        machines.lock().runs.is_empty(),
        "a stopped run is forgotten"
    );
}
