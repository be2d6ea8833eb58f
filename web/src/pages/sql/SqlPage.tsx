/** Placeholder until this page is built. */
export default function SqlPage() {
  return <h1>SqlPage</h1>;
}
