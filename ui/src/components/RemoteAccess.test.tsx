// @vitest-environment jsdom
// Reaching Tether from anywhere, on the desktop: the URL in force and who set it, saving one by
// hand (an empty field turns it off), and the Tailscale Serve switch.
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";

import { RemoteAccess } from "./RemoteAccess";

afterEach(cleanup);

it("saves a typed URL, turns off with an empty one, and switches Tailscale", () => {
  const set = vi.fn();
  const tailscale = vi.fn();
  const { rerender } = render(
    <RemoteAccess remote={{ public_url: null, source: null }} disabled={false} set={set} tailscale={tailscale} />,
  );
  screen.getByText(/Only this computer and the LAN reach Tether/);
  fireEvent.change(screen.getByLabelText("Public URL"), { target: { value: "  https://tether.example.org " } });
  fireEvent.click(screen.getByRole("button", { name: "Save" }));
  expect(set).toHaveBeenLastCalledWith("https://tether.example.org");
  fireEvent.click(screen.getByRole("button", { name: "Use Tailscale Serve" }));
  expect(tailscale).toHaveBeenLastCalledWith(true);

  rerender(
    <RemoteAccess
      remote={{ public_url: "https://devbox.tail1234.ts.net/", source: "tailscale" }}
      disabled={false}
      set={set}
      tailscale={tailscale}
    />,
  );
  screen.getByText("https://devbox.tail1234.ts.net/");
  screen.getByText(/set by Tailscale Serve/);
  expect(screen.queryByRole("button", { name: "Turn off" })).toBeNull();
  fireEvent.click(screen.getByRole("button", { name: "Stop Tailscale Serve" }));
  expect(tailscale).toHaveBeenLastCalledWith(false);

  fireEvent.change(screen.getByLabelText("Public URL"), { target: { value: "" } });
  fireEvent.click(screen.getByRole("button", { name: "Save" }));
  expect(set).toHaveBeenLastCalledWith(null);
});
