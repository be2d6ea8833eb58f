/** Placeholder until this page is built. */
export default function DataPage() {
  return <h1>DataPage</h1>;
}
