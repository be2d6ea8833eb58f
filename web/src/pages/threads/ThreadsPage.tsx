/** Placeholder until this page is built. */
export default function ThreadsPage() {
  return <h1>ThreadsPage</h1>;
}
