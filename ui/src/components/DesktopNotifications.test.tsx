// @vitest-environment jsdom
// The desktop's own notifications: the kinds chosen are ticked, and ticking or unticking one
// chooses the rest with it or without it.
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";

import { DesktopNotifications } from "./DesktopNotifications";

afterEach(cleanup);

it("shows the chosen kinds and chooses again with one more or one less", () => {
  const choose = vi.fn();
  render(<DesktopNotifications chosen={{ kinds: ["approval", "failed"] }} disabled={false} choose={choose} />);
  const finished = screen.getByLabelText("An answer is finished") as HTMLInputElement;
  expect(finished.checked).toBe(false);
  expect((screen.getByLabelText("Claude waits for an approval") as HTMLInputElement).checked).toBe(true);
  fireEvent.click(finished);
  expect(choose).toHaveBeenLastCalledWith(["approval", "failed", "finished"]);
  fireEvent.click(screen.getByLabelText("A session fails or stalls"));
  expect(choose).toHaveBeenLastCalledWith(["approval"]);
});
