// Times as people say them: "just now", "5 minutes ago", "yesterday".

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400],
  ["month", 30 * 86_400],
  ["week", 7 * 86_400],
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
];

const format = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

/** `seconds` (since the Unix epoch) relative to `now` (the same unit). */
export function ago(seconds: number, now: number = Date.now() / 1000): string {
  const elapsed = now - seconds;
  if (elapsed < 45) return "just now";
  for (const [unit, size] of UNITS) {
    if (elapsed >= size) return format.format(-Math.floor(elapsed / size), unit);
  }
  return format.format(-Math.max(1, Math.round(elapsed / 60)), "minute");
}
