// A link to a screen of this app: a real link (it opens in a new tab, and says where it goes),
// whose entry this app's own Back returns to.
import type { AnchorHTMLAttributes } from "react";
import { Link } from "wouter";

import { IN_APP } from "../routes";

type Props = AnchorHTMLAttributes<HTMLAnchorElement> & { href: string };

export function AppLink(props: Props) {
  return <Link {...props} state={IN_APP} />;
}
