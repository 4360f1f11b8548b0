// What a session has used: tokens in and out, the cache, and the cost in dollars.
import type { SessionInfo } from "../gen/protocol";

const count = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });

export function UsageSummary({ session }: { session: SessionInfo }) {
  const { usage } = session;
  const cached = usage.cache_read_input_tokens + usage.cache_creation_input_tokens;
  return (
    <span className="usage" aria-label="Usage">
      <span title="Input tokens">{count.format(usage.input_tokens)} in</span>
      <span title="Output tokens">{count.format(usage.output_tokens)} out</span>
      {cached > 0 && <span title="Cache tokens read and written">{count.format(cached)} cached</span>}
      <span className="cost" title="Cost so far">${session.total_cost_usd.toFixed(4)}</span>
    </span>
  );
}
