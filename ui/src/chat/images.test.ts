// Images: the type read from the first bytes, the size the API reads, and a file refused by name.
import { describe, expect, it } from "vitest";

import { MAX_EDGE, MAX_PIXELS, fitted, prepareImage, sniff } from "./images";

const bytes = (...values: number[]) => new Uint8Array([...values, ...new Array(12).fill(0)]);

describe("sniff", () => {
  it("knows the four types by their first bytes, whatever the file says", () => {
    expect(sniff(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))).toBe("image/png");
    expect(sniff(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe("image/jpeg");
    expect(sniff(bytes(0x47, 0x49, 0x46, 0x38, 0x39, 0x61))).toBe("image/gif");
    expect(sniff(new TextEncoder().encode("RIFF\0\0\0\0WEBPVP8 "))).toBe("image/webp");
  });

  it("refuses everything else", () => {
    expect(sniff(new TextEncoder().encode("RIFF\0\0\0\0WAVEfmt "))).toBeNull();
    expect(sniff(new TextEncoder().encode("BM6\0\0\0\0\0"))).toBeNull();
    expect(sniff(new TextEncoder().encode("<svg xmlns="))).toBeNull();
    expect(sniff(new Uint8Array())).toBeNull();
  });
});

describe("fitted", () => {
  it("leaves an image the API takes as it is", () => {
    expect(fitted(800, 600)).toEqual({ width: 800, height: 600 });
  });

  it("scales a phone photo to the API's long edge and pixel count, keeping its shape", () => {
    const { width, height } = fitted(4000, 3000);
    expect(width).toBeLessThanOrEqual(MAX_EDGE);
    expect(width * height).toBeLessThanOrEqual(MAX_PIXELS * 1.01);
    expect(width / height).toBeCloseTo(4 / 3, 2);
  });

  it("scales a long screenshot by its long edge", () => {
    expect(fitted(800, 6000).height).toBe(MAX_EDGE);
  });
});

describe("prepareImage", () => {
  it("refuses a file that is not an image, naming it", async () => {
    const file = new File(["just some text"], "notes.png", { type: "image/png" });
    await expect(prepareImage(file)).rejects.toThrow("“notes.png” is not a PNG, JPEG, GIF or WebP image");
  });
});
