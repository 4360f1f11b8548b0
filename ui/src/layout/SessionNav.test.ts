import { describe, expect, it } from "vitest";

import type { Machine, Project, SessionInfo } from "../gen/protocol";
import { groups } from "./SessionNav";

const project = (id: string, machine: string | null = null): Project => ({ id, name: id, path: `/${id}`, added_at: 0, machine });

const session = (id: string, project_id: string, last_active_at: number): SessionInfo => ({
  id,
  project_id,
  status: "idle",
  model: null,
  permission_mode: "default",
  claude_session_id: null,
  created_at: 0,
  last_active_at,
  total_cost_usd: 0,
  usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  last_error: null,
  origin: null,
  title: null,
  machine: null,
});

const machine = (id: string, name: string, online: boolean): Machine => ({
  id,
  name,
  online,
  last_seen: null,
  hostname: null,
  version: null,
  claude_version: null,
});

describe("groups", () => {
  it("puts this computer's projects first, then each machine's by name, newest first within", () => {
    const projects = [project("cloud-api", "m2"), project("web"), project("lab", "m1"), project("docs"), project("vm-old", "m2")];
    const sessions = [session("a", "cloud-api", 50), session("b", "docs", 40), session("c", "web", 10), session("d", "lab", 99), session("e", "vm-old", 5)];
    const machines = [machine("m1", "home-server", true), machine("m2", "cloud-vm", false)];
    const shown = groups(projects, sessions, "", machines);
    expect(shown.map((group) => group.project.id)).toEqual(["docs", "web", "cloud-api", "vm-old", "lab"]);
    expect(shown.map((group) => group.machine?.name ?? "here")).toEqual(["here", "here", "cloud-vm", "cloud-vm", "home-server"]);
    expect(shown[2]!.machine!.online).toBe(false);
  });
});
