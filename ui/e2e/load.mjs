// How fast the first page appears: first contentful paint, DOM ready and the bytes moved, on a
// fresh page as the desktop sees it and as a mid-range phone on a weak network would (the CPU
// slowed 4×, 150 ms round trips, 1.6 Mbit/s down, through Chrome's DevTools protocol).
import { TIMEOUT } from "./browser.mjs";

const PHONE_NETWORK = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

/** Loads `url` in a fresh context of `browser`, throttled like a phone when `phone` is set. */
export async function measureLoad(browser, url, phone) {
  const context = await browser.newContext(phone ? { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } : {});
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    if (phone) {
      const devtools = await context.newCDPSession(page);
      await devtools.send("Network.enable");
      await devtools.send("Network.emulateNetworkConditions", PHONE_NETWORK);
      await devtools.send("Emulation.setCPUThrottlingRate", { rate: 4 });
    }
    await page.goto(url);
    await page.getByRole("heading", { name: "Pair with Tether" }).waitFor();
    // The heading can be in the page a frame before it is painted: the paint is waited for.
    await page.waitForFunction(() => performance.getEntriesByName("first-contentful-paint").length > 0);
    const figures = await page.evaluate(() => {
      const navigation = performance.getEntriesByType("navigation")[0];
      const paint = performance.getEntriesByName("first-contentful-paint")[0];
      const resources = performance.getEntriesByType("resource");
      const bytes = [navigation, ...resources].reduce((sum, entry) => sum + (entry.transferSize ?? 0), 0);
      const scripts = resources.filter((entry) => entry.initiatorType === "script" || entry.name.endsWith(".js"));
      return {
        first_contentful_paint_ms: Math.round(paint?.startTime ?? -1),
        dom_content_loaded_ms: Math.round(navigation.domContentLoadedEventEnd),
        transferred_kb: Math.round(bytes / 102.4) / 10,
        requests: resources.length + 1,
        scripts_compressed: scripts.length > 0 && scripts.every((entry) => entry.encodedBodySize < entry.decodedBodySize),
      };
    });
    if (!figures.scripts_compressed) throw new Error(`the scripts came uncompressed: ${JSON.stringify(figures)}`);
    if (figures.first_contentful_paint_ms < 0) throw new Error("the page never painted");
    return figures;
  } finally {
    await context.close();
  }
}
