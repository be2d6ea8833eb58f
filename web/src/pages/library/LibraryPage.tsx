/** Placeholder until this page is built. */
export default function LibraryPage() {
  return <h1>LibraryPage</h1>;
}
