// @vitest-environment jsdom
// Mentions in a sent prompt as links to the project's files.
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";
import { Router } from "wouter";

import { MentionProject, MentionedText } from "./MentionedText";

afterEach(cleanup);

it("links each mention to the file in the session's project, punctuation left as text", () => {
  render(
    <Router>
      <MentionProject.Provider value="p1">
        <p>
          <MentionedText text="Look at @src/main.rs, and @README.md. Mail me@example.com or @src/ please" />
        </p>
      </MentionProject.Provider>
    </Router>,
  );
  const links = screen.getAllByRole("link");
  expect(links.map((link) => [link.textContent, link.getAttribute("href")])).toEqual([
    ["@src/main.rs", "/project/p1/files/src/main.rs"],
    ["@README.md", "/project/p1/files/README.md"],
  ]);
  expect(screen.getByText(/Mail me@example.com or @src\/ please/)).toBeTruthy();
});
