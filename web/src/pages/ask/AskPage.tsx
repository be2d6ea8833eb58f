/** Placeholder until this page is built. */
export default function AskPage() {
  return <h1>AskPage</h1>;
}
