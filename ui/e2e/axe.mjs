// Accessibility, checked with axe-core in the page: no serious or critical violation.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

// Evaluated rather than added as a script tag, which the page's CSP rightly refuses.
const source = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe on `page` as it stands; throws, naming each serious or critical violation. */
export async function checkA11y(page, name) {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const { violations } = await window.axe.run(document, { resultTypes: ["violations"] });
    return violations
      .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
      .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.slice(0, 3).map((node) => node.target.join(" ")).join(", ")}`);
  });
  if (violations.length > 0) throw new Error(`axe on ${name}: ${violations.join("; ")}`);
  return name;
}
