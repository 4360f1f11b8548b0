// Search across every session's messages: words as typed (anything FTS would read as syntax
// is plain text here too), the best matches first, each opening its session at that message.
import { Search } from "lucide-react";
import { useEffect, useRef, useState } from "react";

import { type Sessions, sessionName } from "../chat/useSessions";
import type { SearchHit } from "../gen/protocol";
import { AppLink } from "../layout/AppLink";
import type { Status, TetherClient } from "../protocol/client";
import { messagePath } from "../routes";

type Props = { client: TetherClient; status: Status; listed: Sessions };

/** The query is kept for the tab, so Back from a result finds it again. */
const KEPT = "tether.search";

/** Milliseconds typing must pause before a search. */
const PAUSE = 150;

export function SearchScreen({ client, status, listed }: Props) {
  const [query, setQuery] = useState(() => sessionStorage.getItem(KEPT) ?? "");
  const [hits, setHits] = useState<{ query: string; found: SearchHit[] } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const asked = useRef(0);
  useEffect(() => {
    sessionStorage.setItem(KEPT, query);
    if (!query.trim() || status !== "connected") return;
    const mine = ++asked.current;
    const timer = setTimeout(() => {
      client.request("search.messages", { query, limit: 50 }).then(
        (found) => mine === asked.current && (setHits({ query, found }), setProblem(null)),
        (error: { message: string }) => mine === asked.current && setProblem(`Search failed: ${error.message}`),
      );
    }, PAUSE);
    return () => clearTimeout(timer);
  }, [client, query, status]);

  const name = (id: string) => {
    const session = listed.sessions.find((candidate) => candidate.id === id);
    return session ? sessionName(session) : "A deleted session";
  };
  const shown = query.trim() ? hits?.found : undefined;
  return (
    <main className="search-screen" tabIndex={-1}>
      <header className="screen-header">
        <Search size={24} aria-hidden="true" />
        <h1>Search</h1>
      </header>
      <input
        type="search"
        className="search-box"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        placeholder="Words from any session…"
        aria-label="Search every session"
        autoFocus
      />
      {problem && <p className="error" role="alert">{problem}</p>}
      {shown && (
        <p className="hint" role="status">
          {shown.length === 0 ? "Nothing found." : `${shown.length} ${shown.length === 1 ? "match" : "matches"}${shown.length === 50 ? ", the best 50" : ""}.`}
        </p>
      )}
      <ol className="search-hits">
        {shown?.map((hit) => (
          <li key={`${hit.session_id}/${hit.message_id}`}>
            <AppLink href={messagePath(hit.session_id, hit.message_id)}>
              <span className="search-session">
                {name(hit.session_id)} · {hit.role === "user" ? "you" : "Claude"}
              </span>
              <span className="search-snippet">
                {hit.snippet.map((piece, index) => (piece.matched ? <mark key={index}>{piece.text}</mark> : <span key={index}>{piece.text}</span>))}
              </span>
            </AppLink>
          </li>
        ))}
      </ol>
    </main>
  );
}
