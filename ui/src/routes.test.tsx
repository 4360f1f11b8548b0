// @vitest-environment jsdom
// The screens' URLs: a link from before routes becomes its route; each route names its
// screen; Back returns to the entry this app made, and from a deep link goes to the fallback
// in place (never out of the app).
import { act, cleanup, render, screen } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";
import { Router } from "wouter";
import { useHashLocation } from "wouter/use-hash-location";

import { upgradeOldLink, useGo, useScreen } from "./routes";

afterEach(cleanup);

function Probe() {
  const shown = useScreen();
  const { go, back } = useGo();
  return (
    <>
      <output>{JSON.stringify(shown)}</output>
      <button onClick={() => go("/session/s1")}>open</button>
      <button onClick={() => back("/")}>back</button>
    </>
  );
}

const shown = () => JSON.parse(screen.getByRole("status").textContent ?? "null") as unknown;

/** Waits for the browser's `popstate` after `history.back()` (jsdom runs it on a timer). */
const popped = () => new Promise((resolve) => addEventListener("popstate", resolve, { once: true }));

it("upgrades a notification's old link and names the screen of each route", () => {
  history.replaceState(null, "", "/#session=4d26c7ec");
  upgradeOldLink();
  expect(location.hash).toBe("#/session/4d26c7ec");
  render(
    <Router hook={useHashLocation}>
      <Probe />
    </Router>,
  );
  expect(shown()).toEqual({ kind: "chat", target: { kind: "session", id: "4d26c7ec" } });
  act(() => history.replaceState(null, "", "/#/terminal/t-9"));
  act(() => dispatchEvent(new HashChangeEvent("hashchange")));
  expect(shown()).toEqual({ kind: "chat", target: { kind: "terminal", id: "t-9" } });
  act(() => history.replaceState(null, "", "/#/devices"));
  act(() => dispatchEvent(new HashChangeEvent("hashchange")));
  expect(shown()).toEqual({ kind: "devices" });
  for (const [hash, screen] of [
    ["#/project/p%201", { kind: "project", id: "p 1", tab: "sessions" }],
    ["#/project/p1/git", { kind: "project", id: "p1", tab: "git" }],
    ["#/project/p1/files", { kind: "project", id: "p1", tab: "files", path: "" }],
    ["#/project/p1/files/src/a%20b.rs", { kind: "project", id: "p1", tab: "files", path: "src/a b.rs" }],
    ["#/session/s1/message/user-3", { kind: "chat", target: { kind: "session", id: "s1" }, focus: "user-3" }],
    ["#/session/s1/changes", { kind: "chat", target: { kind: "session", id: "s1" }, changes: true }],
    ["#/search", { kind: "search" }],
    ["#/settings", { kind: "settings" }],
    ["#/nowhere", { kind: "sessions" }],
  ] as const) {
    act(() => history.replaceState(null, "", `/${hash}`));
    act(() => dispatchEvent(new HashChangeEvent("hashchange")));
    expect(shown()).toEqual(screen);
  }
});

it("goes back to the entry it made, and from a deep link to the fallback in place", async () => {
  history.replaceState(null, "", "/#/");
  render(
    <Router hook={useHashLocation}>
      <Probe />
    </Router>,
  );
  expect(shown()).toEqual({ kind: "sessions" });
  const entries = history.length;
  act(() => screen.getByText("open").click());
  expect(shown()).toEqual({ kind: "chat", target: { kind: "session", id: "s1" } });
  expect(history.length).toBe(entries + 1);
  const returned = popped();
  act(() => screen.getByText("back").click());
  await act(() => returned);
  expect(location.hash).toBe("#/");

  // A deep link (reloaded, or opened from a notification): Back stays in the app.
  history.replaceState(null, "", "/#/session/s2");
  act(() => dispatchEvent(new HashChangeEvent("hashchange")));
  const before = history.length;
  act(() => screen.getByText("back").click());
  expect(location.hash).toBe("#/");
  expect(history.length).toBe(before);
  expect(shown()).toEqual({ kind: "sessions" });
});
