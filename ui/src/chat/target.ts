// What a screen opens: one of Tether's sessions, or one of Claude Code's own transcripts.
export type Target = { kind: "session" | "terminal"; id: string };
