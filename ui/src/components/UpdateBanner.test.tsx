// @vitest-environment jsdom
// The update banner over scripted Tauri IPC, which fixes an order the real app produces only
// sometimes: the status that answers a step arrives (as an event) before the step's call returns.
// The new status's buttons must take clicks at once, while the step asked for stays disabled.
import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";

import type { UpdateStatus } from "../host/updates";
import { UpdateBanner } from "./UpdateBanner";

const available: UpdateStatus = {
  current: "0.1.0",
  asked: false,
  state: "available",
  version: "0.2.0",
  notes: null,
  date: null,
};

// The scripted IPC stays for the file (each test file has a window of its own): unmounting
// stops listening after this hook returns, through it.
afterEach(cleanup);

it("enables the answering status's buttons before the step's call returns", async () => {
  // Each step's call, answered only when the test says.
  const calls = new Map<string, () => void>();
  mockIPC(
    (command) => {
      if (command === "update_status") return available;
      return new Promise<void>((done) => calls.set(command, done));
    },
    { shouldMockEvents: true },
  );
  render(<UpdateBanner />);

  const download = await screen.findByRole("button", { name: "Download" });
  fireEvent.click(download);
  expect(download).toHaveProperty("disabled", true);
  expect([...calls.keys()]).toEqual(["update_download"]);

  // The download is refused while its call is still under way.
  const failed: UpdateStatus = { current: "0.1.0", asked: true, state: "failed", message: "Refused." };
  await act(() => emit("tether://update", failed));
  const again = await screen.findByRole("button", { name: "Try again" });
  expect(again).toHaveProperty("disabled", false);

  fireEvent.click(again);
  expect(again).toHaveProperty("disabled", true);
  expect([...calls.keys()]).toEqual(["update_download", "update_check"]);
  // The download's call returning does not enable the check asked for since.
  await act(async () => calls.get("update_download")?.());
  expect(again).toHaveProperty("disabled", true);
  await act(async () => calls.get("update_check")?.());
  expect(again).toHaveProperty("disabled", false);
});
